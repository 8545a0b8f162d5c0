package dev.dataflow.sql.tpch;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.sql.write.FilledBatches;
import io.trino.tpch.Customer;
import io.trino.tpch.CustomerGenerator;
import io.trino.tpch.Distributions;
import io.trino.tpch.LineItem;
import io.trino.tpch.LineItemGenerator;
import io.trino.tpch.Nation;
import io.trino.tpch.NationGenerator;
import io.trino.tpch.Order;
import io.trino.tpch.OrderGenerator;
import io.trino.tpch.Part;
import io.trino.tpch.PartGenerator;
import io.trino.tpch.PartSupplier;
import io.trino.tpch.PartSupplierGenerator;
import io.trino.tpch.Region;
import io.trino.tpch.RegionGenerator;
import io.trino.tpch.Supplier;
import io.trino.tpch.SupplierGenerator;
import io.trino.tpch.TextPool;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Creates the eight TPC-H tables in a DuckDB schema and fills them from the {@code io.trino.tpch}
 * generator, which produces the same rows as the reference {@code dbgen}.
 *
 * <p>Names, types and NOT NULL constraints are those of DuckDB's own tpch extension, which cannot
 * be installed here, so that queries and answers written for it apply unchanged. Money and
 * quantities are {@code DECIMAL(15,2)} filled from the generator's exact integer cents, never from
 * its doubles.
 *
 * <p>Rows reach DuckDB as Arrow batches ({@code registerArrowStream} and {@code INSERT … SELECT}):
 * measured for lineitem at SF1, this is 1.7 (two threads) to 2.5 (one thread) times as fast as
 * DuckDB's row {@code Appender}, which crosses JNI for every string longer than 12 bytes. Arrow
 * needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED}, as everywhere in Dataflow.
 */
public final class TpchData {
  /**
   * Rows per generator part: small enough to spread big tables over threads, big enough to batch.
   */
  private static final long ROWS_PER_PART = 500_000;

  private static final int BATCH_ROWS = 65_536;

  /** The size of dbgen's text pool, which the comments are cut from: other sizes cut others. */
  private static final int TEXT_POOL_BYTES = 300 << 20;

  private static final List<Table<?>> TABLES =
      List.of(
          new Table<>(
              TpchTable.REGION,
              (scale, part, count, text) ->
                  new RegionGenerator(Distributions.getDefaultDistributions(), text),
              0,
              List.of(
                  integer("r_regionkey", Region::getRegionKey),
                  varchar("r_name", Region::getName),
                  varchar("r_comment", Region::getComment))),
          new Table<>(
              TpchTable.NATION,
              (scale, part, count, text) ->
                  new NationGenerator(Distributions.getDefaultDistributions(), text),
              0,
              List.of(
                  integer("n_nationkey", Nation::getNationKey),
                  varchar("n_name", Nation::getName),
                  integer("n_regionkey", Nation::getRegionKey),
                  varchar("n_comment", Nation::getComment))),
          new Table<>(
              TpchTable.SUPPLIER,
              (scale, part, count, text) ->
                  new SupplierGenerator(
                      scale, part, count, Distributions.getDefaultDistributions(), text),
              10_000,
              List.of(
                  bigint("s_suppkey", Supplier::getSupplierKey),
                  varchar("s_name", Supplier::getName),
                  varchar("s_address", Supplier::getAddress),
                  integer("s_nationkey", Supplier::getNationKey),
                  varchar("s_phone", Supplier::getPhone),
                  decimal("s_acctbal", Supplier::getAccountBalanceInCents),
                  varchar("s_comment", Supplier::getComment))),
          new Table<>(
              TpchTable.CUSTOMER,
              (scale, part, count, text) ->
                  new CustomerGenerator(
                      scale, part, count, Distributions.getDefaultDistributions(), text),
              150_000,
              List.of(
                  bigint("c_custkey", Customer::getCustomerKey),
                  varchar("c_name", Customer::getName),
                  varchar("c_address", Customer::getAddress),
                  integer("c_nationkey", Customer::getNationKey),
                  varchar("c_phone", Customer::getPhone),
                  decimal("c_acctbal", Customer::getAccountBalanceInCents),
                  varchar("c_mktsegment", Customer::getMarketSegment),
                  varchar("c_comment", Customer::getComment))),
          new Table<>(
              TpchTable.PART,
              (scale, part, count, text) ->
                  new PartGenerator(
                      scale, part, count, Distributions.getDefaultDistributions(), text),
              200_000,
              List.of(
                  bigint("p_partkey", Part::getPartKey),
                  varchar("p_name", Part::getName),
                  varchar("p_mfgr", Part::getManufacturer),
                  varchar("p_brand", Part::getBrand),
                  varchar("p_type", Part::getType),
                  integer("p_size", Part::getSize),
                  varchar("p_container", Part::getContainer),
                  decimal("p_retailprice", Part::getRetailPriceInCents),
                  varchar("p_comment", Part::getComment))),
          new Table<>(
              TpchTable.PART_SUPPLIER,
              PartSupplierGenerator::new,
              800_000,
              List.of(
                  bigint("ps_partkey", PartSupplier::getPartKey),
                  bigint("ps_suppkey", PartSupplier::getSupplierKey),
                  bigint("ps_availqty", PartSupplier::getAvailableQuantity),
                  decimal("ps_supplycost", PartSupplier::getSupplyCostInCents),
                  varchar("ps_comment", PartSupplier::getComment))),
          new Table<>(
              TpchTable.ORDERS,
              (scale, part, count, text) ->
                  new OrderGenerator(
                      scale, part, count, Distributions.getDefaultDistributions(), text),
              1_500_000,
              List.of(
                  bigint("o_orderkey", Order::getOrderKey),
                  bigint("o_custkey", Order::getCustomerKey),
                  varchar("o_orderstatus", TpchData::orderStatus),
                  decimal("o_totalprice", Order::getTotalPriceInCents),
                  date("o_orderdate", Order::getOrderDate),
                  varchar("o_orderpriority", Order::getOrderPriority),
                  varchar("o_clerk", Order::getClerk),
                  integer("o_shippriority", Order::getShipPriority),
                  varchar("o_comment", Order::getComment))),
          new Table<>(
              TpchTable.LINE_ITEM,
              (scale, part, count, text) ->
                  new LineItemGenerator(
                      scale, part, count, Distributions.getDefaultDistributions(), text),
              6_000_000,
              List.of(
                  bigint("l_orderkey", LineItem::getOrderKey),
                  bigint("l_partkey", LineItem::getPartKey),
                  bigint("l_suppkey", LineItem::getSupplierKey),
                  bigint("l_linenumber", LineItem::getLineNumber),
                  decimal("l_quantity", TpchData::quantityHundredths),
                  decimal("l_extendedprice", LineItem::getExtendedPriceInCents),
                  // Whole percents are hundredths already: 4 % is 0.04.
                  decimal("l_discount", LineItem::getDiscountPercent),
                  decimal("l_tax", LineItem::getTaxPercent),
                  varchar("l_returnflag", LineItem::getReturnFlag),
                  varchar("l_linestatus", LineItem::getStatus),
                  date("l_shipdate", LineItem::getShipDate),
                  date("l_commitdate", LineItem::getCommitDate),
                  date("l_receiptdate", LineItem::getReceiptDate),
                  varchar("l_shipinstruct", LineItem::getShipInstructions),
                  varchar("l_shipmode", LineItem::getShipMode),
                  varchar("l_comment", LineItem::getComment))));

  private TpchData() {}

  /**
   * Creates (or replaces) region, nation, part, supplier, partsupp, customer, orders and lineitem
   * in {@code schema}, creating the schema if absent, and fills them at TPC-H scale factor {@code
   * scale}.
   *
   * <p>Parts of the bigger tables are generated and inserted in parallel, one per processor, each
   * on its own duplicate of {@code duckdb} and in its own transaction: if loading fails, the tables
   * are left incomplete. Row order within a table is therefore not key order.
   */
  public static void createTables(Connection duckdb, String schema, double scale)
      throws SQLException {
    requireNonNull(duckdb, "duckdb is null");
    requireNonNull(schema, "schema is null");
    if (!(scale > 0 && Double.isFinite(scale))) {
      throw new IllegalArgumentException("scale must be a positive number: " + scale);
    }
    DuckDBConnection connection = duckdb.unwrap(DuckDBConnection.class);
    String quoted = quote(schema);
    try (Connection own = autoCommitting(connection)) {
      createSchema(own, quoted);
    }
    // the generators' own default pool is a static one, which would hold 300 MiB of heap for as
    // long as the process runs; this one goes once the tables are filled
    TextPool text = new TextPool(TEXT_POOL_BYTES, Distributions.getDefaultDistributions());
    try (BufferAllocator allocator = new RootAllocator()) {
      fill(connection, quoted, slices(scale), allocator, text);
    }
  }

  /**
   * A duplicate commits on its own, whatever the caller's transaction state: a duplicate inherits
   * the caller's auto-commit setting, and the loading connections must see the new tables.
   */
  private static DuckDBConnection autoCommitting(DuckDBConnection connection) throws SQLException {
    DuckDBConnection own = connection.duplicate();
    try {
      own.setAutoCommit(true);
      return own;
    } catch (SQLException e) {
      own.close();
      throw e;
    }
  }

  private static void createSchema(Connection connection, String schema) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      for (Table<?> table : TABLES) {
        statement.execute(table.createStatement(schema));
      }
    }
  }

  /** Biggest tables first, so that no thread is left alone with a long tail at the end. */
  private static List<Slice<?>> slices(double scale) {
    List<Slice<?>> slices = new ArrayList<>();
    for (int index = TABLES.size() - 1; index >= 0; index--) {
      slices.addAll(TABLES.get(index).slices(scale));
    }
    return slices;
  }

  private static void fill(
      DuckDBConnection connection,
      String schema,
      List<Slice<?>> slices,
      BufferAllocator allocator,
      TextPool text)
      throws SQLException {
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), slices.size());
    ExecutorService executor =
        Executors.newFixedThreadPool(threads, DaemonThreads.named("tpch-load"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Slice<?> slice : slices) {
        futures.add(executor.submit(() -> slice.insert(connection, schema, allocator, text)));
      }
      for (Future<?> future : futures) {
        await(future);
      }
    } finally {
      // After a failure, drops the slices not yet started, but lets the running ones finish:
      // they use the allocator, which the caller closes next.
      executor.shutdownNow();
      awaitTermination(executor);
    }
  }

  private static void awaitTermination(ExecutorService executor) {
    try {
      executor.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(Future<?> future) throws SQLException {
    try {
      future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while loading TPC-H data", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException) {
        throw (SQLException) e.getCause();
      }
      throw new SQLException("failed to load TPC-H data: " + e.getCause(), e.getCause());
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static String orderStatus(Order order) {
    return String.valueOf(order.getOrderStatus());
  }

  /** The generator's quantities are whole units. */
  private static long quantityHundredths(LineItem item) {
    return item.getQuantity() * 100;
  }

  private static <E> Column<E> integer(String name, ToLongFunction<E> value) {
    return new Column<>(
        name,
        "INTEGER",
        new ArrowType.Int(32, true),
        (vector, index, row) ->
            ((IntVector) vector).setSafe(index, Math.toIntExact(value.applyAsLong(row))));
  }

  private static <E> Column<E> bigint(String name, ToLongFunction<E> value) {
    return new Column<>(
        name,
        "BIGINT",
        new ArrowType.Int(64, true),
        (vector, index, row) -> ((BigIntVector) vector).setSafe(index, value.applyAsLong(row)));
  }

  /** {@code hundredths} is the unscaled value, such as the generator's cents. */
  private static <E> Column<E> decimal(String name, ToLongFunction<E> hundredths) {
    return new Column<>(
        name,
        "DECIMAL(15,2)",
        new ArrowType.Decimal(15, 2, 128),
        (vector, index, row) ->
            ((DecimalVector) vector).setSafe(index, hundredths.applyAsLong(row)));
  }

  private static <E> Column<E> date(String name, ToIntFunction<E> epochDays) {
    return new Column<>(
        name,
        "DATE",
        new ArrowType.Date(DateUnit.DAY),
        (vector, index, row) -> ((DateDayVector) vector).setSafe(index, epochDays.applyAsInt(row)));
  }

  private static <E> Column<E> varchar(String name, Function<E, String> value) {
    return new Column<>(
        name,
        "VARCHAR",
        ArrowType.Utf8.INSTANCE,
        (vector, index, row) ->
            ((VarCharVector) vector)
                .setSafe(index, value.apply(row).getBytes(StandardCharsets.UTF_8)));
  }

  /** Copies one value of a generated row into the column's Arrow vector. */
  @FunctionalInterface
  private interface Setter<E> {
    void set(FieldVector vector, int index, E row);
  }

  /** A generator of part {@code part} of {@code partCount} of a table, from a text pool. */
  @FunctionalInterface
  private interface Generator<E> {
    Iterable<E> create(double scale, int part, int partCount, TextPool text);
  }

  /** One column: its DuckDB type, the Arrow type DuckDB reads it from, and its value in a row. */
  private record Column<E>(String name, String type, ArrowType arrowType, Setter<E> setter) {
    Field field() {
      return new Field(name, FieldType.notNullable(arrowType), null);
    }

    String definition() {
      return name + " " + type + " NOT NULL";
    }
  }

  /**
   * One TPC-H table: its name's source, its generator, its rows per unit of scale factor (0 for
   * region and nation, whose size is fixed) and its columns.
   */
  private record Table<E extends TpchEntity>(
      TpchTable<E> source, Generator<E> generator, long rowsPerScale, List<Column<E>> columns) {
    String name() {
      return source.getTableName();
    }

    String createStatement(String schema) {
      List<String> definitions = columns.stream().map(Column::definition).toList();
      return "CREATE OR REPLACE TABLE %s.%s (%s)"
          .formatted(schema, name(), String.join(", ", definitions));
    }

    Schema schema() {
      return new Schema(columns.stream().map(Column::field).toList());
    }

    int partCount(double scale) {
      return (int) Math.max(1, Math.ceil(rowsPerScale * scale / ROWS_PER_PART));
    }

    List<Slice<E>> slices(double scale) {
      int count = partCount(scale);
      List<Slice<E>> slices = new ArrayList<>(count);
      for (int part = 1; part <= count; part++) {
        slices.add(new Slice<>(this, scale, part, count));
      }
      return slices;
    }
  }

  /** One part of one table, inserted on its own connection so that parts can run in parallel. */
  private record Slice<E extends TpchEntity>(
      Table<E> table, double scale, int part, int partCount) {
    /** Returns null, as a {@code Callable<Void>} that may throw. */
    Void insert(
        DuckDBConnection connection, String schema, BufferAllocator allocator, TextPool text)
        throws SQLException {
      String stream = "tpch_" + table.name() + "_" + part;
      try (DuckDBConnection own = autoCommitting(connection);
          ArrowArrayStream arrow = ArrowArrayStream.allocateNew(allocator);
          Statement statement = own.createStatement()) {
        Data.exportArrayStream(allocator, reader(allocator, text), arrow);
        own.registerArrowStream(stream, arrow);
        statement.execute(
            "INSERT INTO %s.%s SELECT * FROM %s".formatted(schema, table.name(), stream));
      }
      return null;
    }

    private Batches<E> reader(BufferAllocator allocator, TextPool text) {
      Iterator<E> rows = table.generator().create(scale, part, partCount, text).iterator();
      return new Batches<>(allocator, table, rows);
    }
  }

  /** Generates a part's rows batch by batch, as DuckDB pulls them. */
  private static final class Batches<E extends TpchEntity> extends FilledBatches {
    private final Table<E> table;
    private final Iterator<E> rows;

    Batches(BufferAllocator allocator, Table<E> table, Iterator<E> rows) {
      super(allocator, table.schema());
      this.table = table;
      this.rows = rows;
    }

    @Override
    protected boolean fill(VectorSchemaRoot root) {
      List<FieldVector> vectors = root.getFieldVectors();
      for (FieldVector vector : vectors) {
        vector.setInitialCapacity(BATCH_ROWS);
        vector.allocateNew();
      }
      int count = 0;
      while (count < BATCH_ROWS && rows.hasNext()) {
        set(vectors, count++, rows.next());
      }
      root.setRowCount(count);
      return count > 0;
    }

    private void set(List<FieldVector> vectors, int index, E row) {
      List<Column<E>> columns = table.columns();
      for (int column = 0; column < columns.size(); column++) {
        columns.get(column).setter().set(vectors.get(column), index, row);
      }
    }
  }
}
