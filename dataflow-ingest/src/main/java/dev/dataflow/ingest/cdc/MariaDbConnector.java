package dev.dataflow.ingest.cdc;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import io.debezium.config.Configuration;
import io.debezium.connector.mysql.MySqlChangeEventSourceFactory;
import io.debezium.connector.mysql.MySqlConnector;
import io.debezium.connector.mysql.MySqlConnectorTask;
import io.debezium.connector.mysql.MySqlOffsetContext;
import io.debezium.connector.mysql.MySqlPartition;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import java.lang.reflect.Field;
import org.apache.kafka.connect.connector.Task;

/**
 * Debezium's MySQL connector reading MariaDB's binlog. MariaDB starts a transaction with a GTID
 * event, which this connector does not know, so it would take every row event for a transaction of
 * its own and resume after a row event it had read only in part, or skip rows of the next one.
 * Announced as a replica without GTID support, MariaDB sends each transaction's start as the {@code
 * BEGIN} statement MySQL writes, and the connector keeps its positions as it does for MySQL. The
 * dedicated MariaDB connector, which does this itself, is not published at the Debezium version
 * used here.
 */
public final class MariaDbConnector extends MySqlConnector {
  /** MARIA_SLAVE_CAPABILITY_BINLOG_CHECKSUM: checksums, but no GTID events. */
  private static final int CAPABILITY_WITHOUT_GTID = 3;

  @Override
  public Class<? extends Task> taskClass() {
    return Reader.class;
  }

  /** The connector's task, with its binlog client announced as above before it connects. */
  public static final class Reader extends MySqlConnectorTask {
    @Override
    public ChangeEventSourceCoordinator<MySqlPartition, MySqlOffsetContext> start(
        Configuration config) {
      ChangeEventSourceCoordinator<MySqlPartition, MySqlOffsetContext> coordinator =
          super.start(config);
      BinaryLogClient client = client(coordinator);
      client.setMariaDbSlaveCapability(CAPABILITY_WITHOUT_GTID);
      if (client.isConnected()) {
        // the streaming thread connected first: its positions cannot be trusted
        throw new IllegalStateException(
            "the binlog client connected before it could be set up for MariaDB; start again");
      }
      return coordinator;
    }

    /** The task's binlog client: Debezium keeps it in the coordinator's source factory only. */
    private static BinaryLogClient client(ChangeEventSourceCoordinator<?, ?> coordinator) {
      try {
        Field factory =
            ChangeEventSourceCoordinator.class.getDeclaredField("changeEventSourceFactory");
        factory.setAccessible(true);
        Field client = MySqlChangeEventSourceFactory.class.getDeclaredField("binaryLogClient");
        client.setAccessible(true);
        return (BinaryLogClient) client.get(factory.get(coordinator));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Debezium's MySQL connector changed: " + e, e);
      }
    }
  }
}
