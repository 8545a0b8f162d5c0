package dev.dataflow.sql.parse;

import dev.dataflow.api.DatasetPath;
import java.util.List;

/** A statement Dataflow accepts: a query, or one of the few DDL/DML forms it runs over the lake. */
public sealed interface Statement {

  /**
   * A read-only query. {@code text} is the query alone; {@code offset} is where it starts in {@code
   * source}, the whole statement as submitted, so errors point into what the user wrote.
   */
  record Query(String source, int offset, String text) implements Statement {}

  /** {@code CREATE [OR REPLACE] TABLE [IF NOT EXISTS] path [PARTITIONED BY (…)] AS query}. */
  record CreateTableAs(
      DatasetPath path,
      boolean replace,
      boolean ifNotExists,
      List<PartitionField> partitioning,
      Query query)
      implements Statement {}

  /** {@code INSERT INTO path [(columns)] query}. */
  record InsertInto(DatasetPath path, List<String> columns, Query query) implements Statement {}

  /** {@code DROP TABLE [IF EXISTS] path}. */
  record DropTable(DatasetPath path, boolean ifExists) implements Statement {}

  /** {@code CREATE [OR REPLACE] VIEW path AS query}. */
  record CreateView(DatasetPath path, boolean replace, Query query) implements Statement {}

  /** {@code DROP VIEW [IF EXISTS] path}. */
  record DropView(DatasetPath path, boolean ifExists) implements Statement {}

  /**
   * One partition field: {@code column}, {@code day(column)}, {@code month(column)}, {@code
   * year(column)}, {@code hour(column)}, {@code bucket(n, column)} or {@code truncate(n, column)}.
   */
  record PartitionField(String transform, String column, int width) {}
}
