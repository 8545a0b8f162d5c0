package dev.dataflow.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.server.auth.Authenticator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password-protected endpoint through the JDBC driver. */
class FlightAuthIT {
  @TempDir static Path dataDir;

  static FlightTestServer server;

  @BeforeAll
  static void start() {
    server = new FlightTestServer(dataDir, Authenticator.withPassword("s3cret"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void withoutCredentialsNothingRuns() {
    assertThatThrownBy(() -> queryOne(server.connect()))
        .isInstanceOf(SQLException.class)
        .hasStackTraceContaining("Sign in with user and password");
  }

  @Test
  void wrongPasswordIsRefused() {
    assertThatThrownBy(() -> queryOne(server.connect("admin", "guess")))
        .isInstanceOf(SQLException.class)
        .hasStackTraceContaining("Wrong user or password");
  }

  @Test
  void rightCredentialsRunAsAdmin() throws SQLException {
    assertThat(queryOne(server.connect("admin", "s3cret"))).isEqualTo(42);
    assertThat(server.sql.jobs().recent("admin", 10))
        .anyMatch(job -> job.sql().equals("SELECT 42"));
  }

  private static int queryOne(Connection connection) throws SQLException {
    try (connection;
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 42")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
