package dev.dataflow.server.flight;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DatabaseMetaData;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetSqlInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetXdbcTypeInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlNullOrdering;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedCaseSensitivity;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/** What the server tells clients about itself: GetSqlInfo and GetXdbcTypeInfo. */
final class ServerInfo {
  static final String NAME = "Dataflow";

  private static final String POM_PROPERTIES =
      "/META-INF/maven/dev.dataflow/dataflow-server/pom.properties";

  private final SqlInfoBuilder sqlInfo;

  ServerInfo(Duration statementTimeout) {
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName(NAME)
            .withFlightSqlServerVersion(dataflowVersion())
            .withFlightSqlServerArrowVersion(version(FlightSqlProducer.class, "unknown"))
            .withFlightSqlServerReadOnly(false)
            .withFlightSqlServerSql(true)
            .withFlightSqlServerSubstrait(false)
            .withFlightSqlServerTransaction(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
            .withFlightSqlServerCancel(true)
            .withFlightSqlServerBulkIngestion(false)
            .withFlightSqlServerStatementTimeout(
                (int) Math.min(Integer.MAX_VALUE, statementTimeout.toSeconds()))
            .withSqlIdentifierQuoteChar("\"")
            .withSqlSearchStringEscape("\\")
            // DuckDB matches identifiers, quoted or not, without regard to case and keeps their
            // case
            .withSqlIdentifierCase(
                SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlQuotedIdentifierCase(
                SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlNullOrdering(SqlNullOrdering.SQL_NULLS_SORTED_AT_END)
            .withSqlSchemaTerm("space")
            .withSqlCatalogTerm("catalog")
            .withSqlDdlCatalog(false)
            .withSqlDdlSchema(false)
            .withSqlDdlTable(true)
            .withSqlAllTablesAreSelectable(true)
            .withSqlSupportsColumnAliasing(true)
            .withSqlNullPlusNullIsNull(true)
            .withSqlSupportsTableCorrelationNames(true)
            .withSqlSupportsExpressionsInOrderBy(true)
            .withSqlSupportsOrderByUnrelated(true)
            .withSqlSupportsLikeEscapeClause(true)
            .withSqlCorrelatedSubqueriesSupported(true)
            .withSqlTransactionsSupported(false)
            .withSqlBatchUpdatesSupported(false)
            .withSqlSavepointsSupported(false)
            .withSqlNamedParametersSupported(false)
            .withSqlSelectForUpdateSupported(false)
            .withSqlStoredProceduresSupported(false);
  }

  /**
   * The version Maven recorded in the server jar; classes outside a jar are a development build.
   */
  private static String dataflowVersion() {
    try (InputStream in = ServerInfo.class.getResourceAsStream(POM_PROPERTIES)) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "development");
    } catch (IOException e) {
      return "development";
    }
  }

  private static String version(Class<?> type, String fallback) {
    String version = type.getPackage().getImplementationVersion();
    return version == null ? fallback : version;
  }

  void sqlInfo(CommandGetSqlInfo command, ServerStreamListener listener) {
    try {
      sqlInfo.send(command.getInfoList(), listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.of(e));
    }
  }

  /** One row of GetXdbcTypeInfo. */
  private record TypeInfo(
      String name,
      int jdbcType,
      Integer size,
      String prefix,
      String suffix,
      List<String> parameters,
      Integer radix) {}

  private static final List<TypeInfo> TYPES =
      List.of(
          new TypeInfo("TINYINT", Types.TINYINT, 3, null, null, List.of(), 10),
          new TypeInfo("BIGINT", Types.BIGINT, 19, null, null, List.of(), 10),
          new TypeInfo("BLOB", Types.VARBINARY, null, null, null, List.of(), null),
          new TypeInfo("DECIMAL", Types.DECIMAL, 38, null, null, List.of("precision", "scale"), 10),
          new TypeInfo("INTEGER", Types.INTEGER, 10, null, null, List.of(), 10),
          new TypeInfo("SMALLINT", Types.SMALLINT, 5, null, null, List.of(), 10),
          new TypeInfo("FLOAT", Types.REAL, 7, null, null, List.of(), 10),
          new TypeInfo("DOUBLE", Types.DOUBLE, 15, null, null, List.of(), 10),
          new TypeInfo("VARCHAR", Types.VARCHAR, null, "'", "'", List.of(), null),
          new TypeInfo("BOOLEAN", Types.BOOLEAN, 1, null, null, List.of(), null),
          new TypeInfo("DATE", Types.DATE, 10, "DATE '", "'", List.of(), null),
          new TypeInfo("TIME", Types.TIME, 15, "TIME '", "'", List.of(), null),
          new TypeInfo("TIMESTAMP", Types.TIMESTAMP, 26, "TIMESTAMP '", "'", List.of(), null),
          new TypeInfo(
              "TIMESTAMP WITH TIME ZONE",
              Types.TIMESTAMP_WITH_TIMEZONE,
              32,
              "TIMESTAMPTZ '",
              "'",
              List.of(),
              null));

  void typeInfo(
      CommandGetXdbcTypeInfo command, BufferAllocator allocator, ServerStreamListener listener) {
    List<TypeInfo> rows = new ArrayList<>();
    for (TypeInfo type : TYPES) {
      if (!command.hasDataType() || command.getDataType() == type.jdbcType()) {
        rows.add(type);
      }
    }
    SmallResults.send(
        allocator,
        "type-info",
        Schemas.GET_TYPE_INFO_SCHEMA,
        root -> fillTypes(root, rows),
        listener);
  }

  private static void fillTypes(VectorSchemaRoot root, List<TypeInfo> rows) {
    ListVector parameters = (ListVector) root.getVector("create_params");
    VarCharVector parameterNames = (VarCharVector) parameters.getDataVector();
    int names = 0;
    for (int i = 0; i < rows.size(); i++) {
      TypeInfo type = rows.get(i);
      text(root, "type_name", i, type.name());
      text(root, "local_type_name", i, type.name());
      text(root, "literal_prefix", i, type.prefix());
      text(root, "literal_suffix", i, type.suffix());
      number(root, "data_type", i, type.jdbcType());
      number(root, "sql_data_type", i, type.jdbcType());
      number(root, "column_size", i, type.size());
      number(root, "num_prec_radix", i, type.radix());
      number(root, "nullable", i, DatabaseMetaData.typeNullable);
      number(root, "searchable", i, DatabaseMetaData.typeSearchable);
      bool(root, "case_sensitive", i, type.jdbcType() == Types.VARCHAR);
      bool(root, "unsigned_attribute", i, false);
      bool(root, "fixed_prec_scale", i, false);
      bool(root, "auto_increment", i, false);
      if (type.jdbcType() == Types.DECIMAL) {
        number(root, "minimum_scale", i, 0);
        number(root, "maximum_scale", i, 38);
      }
      parameters.startNewValue(i);
      for (String name : type.parameters()) {
        parameterNames.setSafe(names++, name.getBytes(StandardCharsets.UTF_8));
      }
      parameters.endValue(i, type.parameters().size());
    }
    parameterNames.setValueCount(names);
    root.setRowCount(rows.size());
  }

  private static void text(VectorSchemaRoot root, String column, int row, String value) {
    if (value != null) {
      ((VarCharVector) root.getVector(column)).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void number(VectorSchemaRoot root, String column, int row, Integer value) {
    if (value != null) {
      ((IntVector) root.getVector(column)).setSafe(row, value);
    }
  }

  private static void bool(VectorSchemaRoot root, String column, int row, boolean value) {
    ((BitVector) root.getVector(column)).setSafe(row, value ? 1 : 0);
  }
}
