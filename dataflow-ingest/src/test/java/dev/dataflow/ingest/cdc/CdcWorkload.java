package dev.dataflow.ingest.cdc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Random changes to the cdc fixture tables, the same for every source database. */
final class CdcWorkload {
  private static final int PER_TRANSACTION = 200;

  private CdcWorkload() {}

  /**
   * Runs {@code changes} changes in transactions of 200: a third inserts, a third updates, a third
   * deletes, over tables whose ids run from 1 to {@code initialRows}.
   *
   * @param statements per table: insert (id, name, amount, qty), update (name, amount, id), delete
   *     (id)
   */
  static void run(
      Connection connection,
      List<PreparedStatement[]> statements,
      int initialRows,
      int changes,
      Random random)
      throws SQLException {
    int tables = statements.size();
    long[] next = new long[tables];
    Arrays.fill(next, initialRows + 1);
    connection.setAutoCommit(false);
    for (int change = 0; change < changes; change++) {
      int t = random.nextInt(tables);
      PreparedStatement[] table = statements.get(t);
      long id = 1 + (long) random.nextInt((int) next[t]);
      switch (random.nextInt(3)) {
        case 0 -> {
          table[0].setLong(1, next[t]++);
          table[0].setString(2, "new " + change);
          table[0].setBigDecimal(3, BigDecimal.valueOf(random.nextInt(100_000), 2));
          table[0].setInt(4, random.nextInt(100));
          table[0].addBatch();
        }
        case 1 -> {
          table[1].setString(1, random.nextInt(10) == 0 ? null : "upd " + change);
          table[1].setBigDecimal(2, BigDecimal.valueOf(random.nextInt(100_000), 2));
          table[1].setLong(3, id);
          table[1].addBatch();
        }
        default -> {
          table[2].setLong(1, id);
          table[2].addBatch();
        }
      }
      if ((change + 1) % PER_TRANSACTION == 0) {
        commit(connection, statements);
      }
    }
    commit(connection, statements);
  }

  /** The workload's statements on tables w0, w1…; {@code now} is the source's current time. */
  static List<PreparedStatement[]> statements(Connection connection, int tables, String now)
      throws SQLException {
    List<PreparedStatement[]> statements = new ArrayList<>();
    for (int t = 0; t < tables; t++) {
      statements.add(
          new PreparedStatement[] {
            connection.prepareStatement("INSERT INTO w" + t + " VALUES (?, ?, ?, ?, " + now + ")"),
            connection.prepareStatement(
                "UPDATE w" + t + " SET name = ?, amount = ?, qty = qty + 1 WHERE id = ?"),
            connection.prepareStatement("DELETE FROM w" + t + " WHERE id = ?")
          });
    }
    return statements;
  }

  private static void commit(Connection connection, List<PreparedStatement[]> statements)
      throws SQLException {
    for (PreparedStatement[] each : statements) {
      for (PreparedStatement statement : each) {
        statement.executeBatch();
      }
    }
    connection.commit();
  }
}
