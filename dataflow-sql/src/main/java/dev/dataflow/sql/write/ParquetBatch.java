package dev.dataflow.sql.write;

import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.TypeMapping;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Type.TypeID;
import org.apache.iceberg.types.Types;

/**
 * Parquet files DuckDB wrote for one table write, published to the warehouse. Partition values are
 * computed in the same query (Iceberg's transforms as SQL) and become hive-style directories, which
 * are read back into each file's partition tuple; metrics are read from the local files before they
 * are published.
 */
record ParquetBatch(List<DataFile> files, long rows) {
  private static final String PARTITION_PREFIX = "__df_p";
  private static final String NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  static ParquetBatch write(Statement statement, Table table, String sql, Warehouse warehouse) {
    Warehouse.Batch batch = warehouse.newBatch(table.location());
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    List<String> projection = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      projection.add(
          "CAST(__src."
              + Engine.identifier(field.name())
              + " AS "
              + TypeMapping.duckdbType(field.type())
              + ") AS "
              + Engine.identifier(field.name()));
    }
    List<String> partitionColumns = new ArrayList<>();
    for (int i = 0; i < spec.fields().size(); i++) {
      PartitionField field = spec.fields().get(i);
      Types.NestedField source = schema.findField(field.sourceId());
      projection.add(transform(field, source) + " AS " + PARTITION_PREFIX + i);
      partitionColumns.add(PARTITION_PREFIX + i);
    }
    String copy =
        "COPY (SELECT "
            + String.join(", ", projection)
            + " FROM ("
            + sql
            + ") AS __src) TO "
            + Engine.literal(batch.directory().toString())
            + " (FORMAT parquet, COMPRESSION "
            + compression(table)
            + ", RETURN_FILES true, FILENAME_PATTERN 'part-{uuid}', "
            + (partitionColumns.isEmpty()
                ? "FILE_SIZE_BYTES '512MB'"
                : "PARTITION_BY (" + String.join(", ", partitionColumns) + ")")
            + ", FIELD_IDS "
            + fieldIds(schema.asStruct())
            + ")";
    try (ResultSet result = statement.executeQuery(copy)) {
      result.next();
      long rows = result.getLong(1);
      List<Path> written = new ArrayList<>();
      Array array = result.getArray(2);
      if (array != null) {
        for (Object file : (Object[]) array.getArray()) {
          written.add(Path.of(file.toString()));
        }
      }
      List<DataFiles.Builder> files = new ArrayList<>();
      for (Path file : written) {
        files.add(dataFile(table, file));
      }
      List<String> locations = warehouse.publish(batch, written);
      List<DataFile> published = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        published.add(files.get(i).withPath(locations.get(i)).build());
      }
      return new ParquetBatch(List.copyOf(published), rows);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** A data file's metrics and partition, from the local file; its location comes on publish. */
  private static DataFiles.Builder dataFile(Table table, Path file) {
    InputFile input = org.apache.iceberg.Files.localInput(file.toFile());
    DataFiles.Builder builder =
        DataFiles.builder(table.spec())
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(input.getLength())
            .withMetrics(ParquetUtil.fileMetrics(input, MetricsConfig.forTable(table)));
    if (table.spec().isPartitioned()) {
      builder.withPartition(partition(table.spec(), file.toString()));
    }
    return builder;
  }

  /**
   * The table's Parquet codec, from Iceberg's own property {@code write.parquet.compression-codec}
   * (Iceberg's default: zstd), so other Iceberg writers and this one agree.
   */
  private static String compression(Table table) {
    String codec =
        table
            .properties()
            .getOrDefault(
                TableProperties.PARQUET_COMPRESSION,
                TableProperties.PARQUET_COMPRESSION_DEFAULT_SINCE_1_4_0)
            .toLowerCase(java.util.Locale.ROOT);
    return switch (codec) {
      case "zstd", "snappy", "gzip", "lz4", "brotli", "uncompressed" -> codec;
      default ->
          throw new dev.dataflow.api.DataflowException(
              dev.dataflow.api.ErrorCode.UNSUPPORTED,
              "Table "
                  + table.name()
                  + ": Parquet codec "
                  + codec
                  + " cannot be written; use zstd, snappy, gzip, lz4, brotli or uncompressed");
    };
  }

  /** Iceberg's partition transforms written in DuckDB SQL over the already-cast column. */
  private static String transform(PartitionField field, Types.NestedField source) {
    String column =
        "CAST(__src."
            + Engine.identifier(source.name())
            + " AS "
            + TypeMapping.duckdbType(source.type())
            + ")";
    String name = field.transform().toString();
    if (name.equals("identity")) {
      return column;
    }
    if (name.equals("day")) {
      return "date_diff('day', DATE '1970-01-01', CAST(" + column + " AS DATE))";
    }
    if (name.equals("month")) {
      return "((year(" + column + ") - 1970) * 12 + month(" + column + ") - 1)";
    }
    if (name.equals("year")) {
      return "(year(" + column + ") - 1970)";
    }
    if (name.equals("hour")) {
      return "CAST(floor(epoch(" + column + ") / 3600) AS BIGINT)";
    }
    if (name.startsWith("bucket[")) {
      int buckets = Integer.parseInt(name.substring(7, name.length() - 1));
      String hash =
          source.type().typeId() == TypeID.STRING
              ? "df_bucket_hash_string(" + column + ")"
              : source.type().typeId() == TypeID.DATE
                  ? "df_bucket_hash(CAST(date_diff('day', DATE '1970-01-01', "
                      + column
                      + ") AS BIGINT))"
                  : "df_bucket_hash(CAST(" + column + " AS BIGINT))";
      return "(" + hash + " % " + buckets + ")";
    }
    if (name.startsWith("truncate[")) {
      int width = Integer.parseInt(name.substring(9, name.length() - 1));
      return source.type().typeId() == TypeID.STRING
          ? "left(" + column + ", " + width + ")"
          : "(" + column + " - (((" + column + " % " + width + ") + " + width + ") % " + width
              + "))";
    }
    throw new IllegalArgumentException("Unsupported partition transform " + name);
  }

  /** DuckDB's FIELD_IDS option: each column's Iceberg field id, nested fields included. */
  private static String fieldIds(Types.StructType struct) {
    List<String> entries = new ArrayList<>();
    for (Types.NestedField field : struct.fields()) {
      entries.add(Engine.identifier(field.name()) + ": " + fieldId(field.fieldId(), field.type()));
    }
    return "{" + String.join(", ", entries) + "}";
  }

  private static String fieldId(int id, Type type) {
    if (type.isPrimitiveType()) {
      return String.valueOf(id);
    }
    List<String> entries = new ArrayList<>();
    entries.add("__duckdb_field_id: " + id);
    if (type.isStructType()) {
      for (Types.NestedField field : type.asStructType().fields()) {
        entries.add(
            Engine.identifier(field.name()) + ": " + fieldId(field.fieldId(), field.type()));
      }
    } else if (type.isListType()) {
      Types.NestedField element = type.asListType().fields().get(0);
      entries.add("element: " + fieldId(element.fieldId(), element.type()));
    } else if (type.isMapType()) {
      Types.NestedField key = type.asMapType().fields().get(0);
      Types.NestedField value = type.asMapType().fields().get(1);
      entries.add("key: " + fieldId(key.fieldId(), key.type()));
      entries.add("value: " + fieldId(value.fieldId(), value.type()));
    }
    return "{" + String.join(", ", entries) + "}";
  }

  private static PartitionData partition(PartitionSpec spec, String file) {
    PartitionData data = new PartitionData(spec.partitionType());
    for (String segment : file.split("/")) {
      if (!segment.startsWith(PARTITION_PREFIX) || segment.indexOf('=') < 0) {
        continue;
      }
      int index =
          Integer.parseInt(segment.substring(PARTITION_PREFIX.length(), segment.indexOf('=')));
      String value = unescape(segment.substring(segment.indexOf('=') + 1));
      PartitionField field = spec.fields().get(index);
      Type type = spec.partitionType().fields().get(index).type();
      data.set(index, value.equals(NULL_PARTITION) ? null : partitionValue(field, type, value));
    }
    return data;
  }

  private static Object partitionValue(PartitionField field, Type type, String value) {
    if (field.transform().isIdentity()) {
      return Conversions.fromPartitionString(type, value);
    }
    // day, month, year, hour and bucket are ordinals; truncate keeps the source type
    return switch (type.typeId()) {
      case DATE, INTEGER -> Integer.parseInt(value);
      default -> Conversions.fromPartitionString(type, value);
    };
  }

  /** Undoes the percent-escaping of hive partition directory names. */
  private static String unescape(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()) {
        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  void delete(Warehouse warehouse) {
    warehouse.delete(files.stream().map(DataFile::location).toList());
  }
}
