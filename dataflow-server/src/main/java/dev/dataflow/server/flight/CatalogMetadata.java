package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.Lake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * The lake's catalog as Flight SQL metadata. Every space and folder is a schema named by its path
 * joined with '.' ({@code demo.orders}), holding tables and views.
 *
 * <p>There are no catalogs. SQL names a dataset {@code space.name} or {@code space.folder.name}
 * with no catalog part, so a catalog level would make tools such as DBeaver browse one pointless
 * node and write names the engine does not resolve; without one they list the schemas at the top
 * and qualify names by schema only.
 */
final class CatalogMetadata {
  static final String TABLE = "TABLE";
  static final String VIEW = "VIEW";

  private final Lake lake;

  CatalogMetadata(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  private record Entry(String space, String name, String type, Schema schema) {}

  void catalogs(BufferAllocator allocator, ServerStreamListener listener) {
    SmallResults.empty(allocator, Schemas.GET_CATALOGS_SCHEMA, listener);
  }

  void tableTypes(BufferAllocator allocator, ServerStreamListener listener) {
    List<String> types = List.of(TABLE, VIEW);
    SmallResults.send(
        allocator,
        "table-types",
        Schemas.GET_TABLE_TYPES_SCHEMA,
        root -> fillText(root, "table_type", types),
        listener);
  }

  void schemas(
      CommandGetDbSchemas command, BufferAllocator allocator, ServerStreamListener listener) {
    List<String> names = new ArrayList<>();
    if (!namesCatalog(command.hasCatalog(), command.getCatalog())) {
      Predicate<String> matches =
          like(command.hasDbSchemaFilterPattern(), command.getDbSchemaFilterPattern());
      spaces().stream().map(CatalogMetadata::name).filter(matches).forEach(names::add);
    }
    SmallResults.send(
        allocator,
        "schemas",
        Schemas.GET_SCHEMAS_SCHEMA,
        root -> fillText(root, "db_schema_name", names),
        listener);
  }

  void tables(CommandGetTables command, BufferAllocator allocator, ServerStreamListener listener) {
    List<Entry> entries =
        namesCatalog(command.hasCatalog(), command.getCatalog()) ? List.of() : entries(command);
    Schema schema =
        command.getIncludeSchema()
            ? Schemas.GET_TABLES_SCHEMA
            : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA;
    SmallResults.send(allocator, "tables", schema, root -> fillTables(root, entries), listener);
  }

  /** True when the filter asks for a named catalog, which never exists here. */
  private static boolean namesCatalog(boolean has, String catalog) {
    return has && !catalog.isEmpty();
  }

  private List<Entry> entries(CommandGetTables command) {
    Predicate<String> space =
        like(command.hasDbSchemaFilterPattern(), command.getDbSchemaFilterPattern());
    Predicate<String> table =
        like(command.hasTableNameFilterPattern(), command.getTableNameFilterPattern());
    List<String> types =
        command.getTableTypesList().stream().map(t -> t.toUpperCase(Locale.ROOT)).toList();
    boolean schemas = command.getIncludeSchema();
    JdbcCatalog catalog = lake.catalog();
    List<Entry> entries = new ArrayList<>();
    for (Namespace namespace : spaces()) {
      if (!space.test(name(namespace))) {
        continue;
      }
      if (types.isEmpty() || types.contains(TABLE)) {
        for (TableIdentifier id : catalog.listTables(namespace)) {
          add(entries, id, TABLE, table, schemas);
        }
      }
      if (types.isEmpty() || types.contains(VIEW)) {
        for (TableIdentifier id : catalog.listViews(namespace)) {
          add(entries, id, VIEW, table, schemas);
        }
      }
    }
    entries.sort(
        Comparator.comparing(Entry::type).thenComparing(Entry::space).thenComparing(Entry::name));
    return entries;
  }

  private void add(
      List<Entry> entries,
      TableIdentifier id,
      String type,
      Predicate<String> table,
      boolean schema) {
    if (!table.test(id.name())) {
      return;
    }
    String space = name(id.namespace());
    try {
      org.apache.iceberg.Schema columns =
          !schema
              ? null
              : type.equals(TABLE)
                  ? lake.catalog().loadTable(id).schema()
                  : lake.catalog().loadView(id).schema();
      entries.add(
          new Entry(
              space,
              id.name(),
              type,
              columns == null ? null : ArrowTypes.schema(columns, space, id.name())));
    } catch (NoSuchTableException | NoSuchViewException e) {
      // dropped while we listed: it is simply gone
    }
  }

  /** Every space and folder, depth first in name order. */
  private List<Namespace> spaces() {
    List<Namespace> namespaces = new ArrayList<>();
    collect(Namespace.empty(), namespaces);
    return namespaces;
  }

  private void collect(Namespace parent, List<Namespace> out) {
    List<Namespace> children = new ArrayList<>(lake.catalog().listNamespaces(parent));
    children.sort(Comparator.comparing(CatalogMetadata::name));
    for (Namespace child : children) {
      out.add(child);
      collect(child, out);
    }
  }

  private static String name(Namespace namespace) {
    return String.join(".", namespace.levels());
  }

  /** A SQL LIKE pattern ('%', '_', escaped by '\'); matches everything when absent. */
  static Predicate<String> like(boolean has, String pattern) {
    if (!has) {
      return name -> true;
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    Pattern compiled = Pattern.compile(regex.toString(), Pattern.DOTALL);
    return name -> compiled.matcher(name).matches();
  }

  private static void fillText(VectorSchemaRoot root, String column, List<String> values) {
    VarCharVector vector = (VarCharVector) root.getVector(column);
    for (int i = 0; i < values.size(); i++) {
      vector.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(values.size());
  }

  private static void fillTables(VectorSchemaRoot root, List<Entry> entries) {
    VarCharVector spaces = (VarCharVector) root.getVector("db_schema_name");
    VarCharVector names = (VarCharVector) root.getVector("table_name");
    VarCharVector types = (VarCharVector) root.getVector("table_type");
    VarBinaryVector schemas = (VarBinaryVector) root.getVector("table_schema");
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      spaces.setSafe(i, entry.space().getBytes(StandardCharsets.UTF_8));
      names.setSafe(i, entry.name().getBytes(StandardCharsets.UTF_8));
      types.setSafe(i, entry.type().getBytes(StandardCharsets.UTF_8));
      if (schemas != null) {
        schemas.setSafe(i, serialize(entry.schema()));
      }
    }
    root.setRowCount(entries.size());
  }

  /** A schema as an IPC message, the form Flight SQL carries schemas in. */
  static byte[] serialize(Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
