package dev.dataflow.server.flight;

import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A lake, its SQL service and a Flight SQL endpoint on 127.0.0.1, for integration tests. */
final class FlightTestServer implements AutoCloseable {
  final Lake lake;
  final SqlService sql;
  final FlightSqlEndpoint endpoint;

  FlightTestServer(Path dataDir, Authenticator auth) {
    this(dataDir, auth, EngineConfig.defaults(dataDir));
  }

  FlightTestServer(Path dataDir, Authenticator auth, EngineConfig engine) {
    lake = Lake.open(LakeConfig.embedded(dataDir));
    sql = new SqlService(lake, engine);
    endpoint = FlightSqlEndpoint.start(sql, auth, "127.0.0.1", 0);
  }

  String url() {
    return "jdbc:arrow-flight-sql://127.0.0.1:" + endpoint.port() + "/?useEncryption=false";
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url());
  }

  Connection connect(String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return DriverManager.getConnection(url(), properties);
  }

  /** Closes the endpoint first: its allocator fails the test when a buffer leaked. */
  @Override
  public void close() {
    try {
      endpoint.close();
    } finally {
      sql.close();
      lake.close();
    }
  }
}
