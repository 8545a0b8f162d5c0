package dev.dataflow.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.junit.jupiter.api.Test;

class IcebergErrorsTest {
  @Test
  void aLostMetadataStoreIs503AndOtherDatabaseErrorsAre500() {
    assertThat(
            IcebergErrors.status(
                new UncheckedSQLException(
                    new SQLTransientConnectionException("connection refused"), "Failed")))
        .isEqualTo(503);
    assertThat(
            IcebergErrors.status(
                new UncheckedSQLException(new SQLException("gone", "08006"), "Failed")))
        .isEqualTo(503);
    assertThat(
            IcebergErrors.status(
                new UncheckedSQLException(new SQLException("syntax", "42601"), "Failed")))
        .isEqualTo(500);
  }

  @Test
  void catalogOutcomesTakeTheSpecsStatuses() {
    assertThat(IcebergErrors.status(new CommitFailedException("stale"))).isEqualTo(409);
    assertThat(IcebergErrors.status(new NamespaceNotEmptyException("full"))).isEqualTo(409);
    assertThat(IcebergErrors.status(new NoSuchNamespaceException("none"))).isEqualTo(404);
    assertThat(IcebergErrors.status(new IllegalArgumentException("bad"))).isEqualTo(400);
    assertThat(IcebergErrors.status(new DataflowException(ErrorCode.UNAUTHENTICATED, "who")))
        .isEqualTo(401);
    assertThat(IcebergErrors.status(new IllegalStateException("bug"))).isEqualTo(500);
  }
}
