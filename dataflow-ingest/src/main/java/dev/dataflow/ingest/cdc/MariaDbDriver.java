package dev.dataflow.ingest.cdc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * MySQL Connector/J for Debezium's MySQL connector reading MariaDB. The connector takes MariaDB's
 * version (10.11) for a MySQL of 8.4 or later and asks for {@code SHOW BINARY LOG STATUS}, which
 * MariaDB names {@code SHOW BINLOG STATUS}: statements of this driver's connections say it so. The
 * dedicated MariaDB connector is not published at the Debezium version used here. Debezium creates
 * the driver by class name ({@code database.jdbc.driver}).
 */
public final class MariaDbDriver implements Driver {
  static final String MYSQL_STATUS = "SHOW BINARY LOG STATUS";
  static final String MARIADB_STATUS = "SHOW BINLOG STATUS";
  private final Driver driver = new com.mysql.cj.jdbc.Driver();

  public MariaDbDriver() throws SQLException {}

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    Connection connection = driver.connect(url, info);
    return connection == null ? null : proxy(Connection.class, connection);
  }

  /** Statements made by a connection are wrapped too; everything else goes straight through. */
  private static <T> T proxy(Class<T> type, T target) {
    InvocationHandler handler =
        (self, method, arguments) -> {
          Object[] rewritten = arguments;
          if (type == Statement.class && arguments != null && arguments.length > 0) {
            rewritten = arguments.clone();
            if (MYSQL_STATUS.equals(rewritten[0])) {
              rewritten[0] = MARIADB_STATUS;
            }
          }
          Object result = invoke(method, target, rewritten);
          if (type == Connection.class
              && method.getName().equals("createStatement")
              && result instanceof Statement statement) {
            return proxy(Statement.class, statement);
          }
          return result;
        };
    return type.cast(
        Proxy.newProxyInstance(
            MariaDbDriver.class.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static Object invoke(Method method, Object target, Object[] arguments) throws Throwable {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public boolean acceptsURL(String url) throws SQLException {
    return driver.acceptsURL(url);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    return driver.getPropertyInfo(url, info);
  }

  @Override
  public int getMajorVersion() {
    return driver.getMajorVersion();
  }

  @Override
  public int getMinorVersion() {
    return driver.getMinorVersion();
  }

  @Override
  public boolean jdbcCompliant() {
    return driver.jdbcCompliant();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return driver.getParentLogger();
  }
}
