package dev.dataflow.ingest.runtime;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec.SchemaChanges;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * Compares a batch's columns with its destination table: a new column or a widened type (int to
 * long, float to double, a wider decimal) evolves the table or fails the batch, as the pipeline
 * says. Other type differences are left to the write's cast, which reports a value that does not
 * fit.
 */
final class SchemaDrift {
  private SchemaDrift() {}

  static void reconcile(Table table, Schema batch, SchemaChanges policy, List<String> notes) {
    List<String> changes = new ArrayList<>();
    UpdateSchema update = table.updateSchema();
    for (Types.NestedField column : batch.columns()) {
      Types.NestedField existing = table.schema().caseInsensitiveFindField(column.name());
      if (existing == null) {
        changes.add("new column " + column.name() + " " + column.type());
        update.addColumn(column.name(), column.type());
      } else if (!existing.type().equals(column.type()) && widens(existing.type(), column.type())) {
        changes.add(
            "column "
                + existing.name()
                + " widened from "
                + existing.type()
                + " to "
                + column.type());
        update.updateColumn(existing.name(), column.type().asPrimitiveType());
      }
    }
    if (changes.isEmpty()) {
      return;
    }
    if (policy == SchemaChanges.FAIL) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "The input's schema changed ("
              + String.join("; ", changes)
              + ") and schema_changes is fail");
    }
    update.commit();
    table.refresh();
    notes.add("schema evolved: " + String.join("; ", changes));
  }

  private static boolean widens(Type from, Type to) {
    return from.isPrimitiveType()
        && to.isPrimitiveType()
        && TypeUtil.isPromotionAllowed(from, to.asPrimitiveType());
  }
}
