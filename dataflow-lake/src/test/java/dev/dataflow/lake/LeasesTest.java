package dev.dataflow.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeasesTest {
  private static final Duration LONG = Duration.ofMinutes(1);

  @TempDir Path dir;
  private Lake lake;
  private MetadataDb db;
  private Leases leases;

  @BeforeEach
  void open() {
    lake = Lake.open(LakeConfig.embedded(dir));
    db = new MetadataDb(lake);
    leases = new Leases(db);
  }

  @AfterEach
  void close() {
    db.close();
    lake.close();
  }

  @Test
  void oneHolderAtATimeAndEveryNewHolderGetsAHigherEpoch() {
    assertThat(leases.acquire("p", "a", LONG)).isEqualTo(1);
    assertThat(leases.acquire("p", "b", LONG)).as("a's lease is live").isEqualTo(-1);
    assertThat(leases.renew("p", "a", 1, LONG)).isTrue();
    assertThat(leases.renew("p", "b", 1, LONG)).isFalse();
    leases.release("p", "a", 1);
    assertThat(leases.find("p").live(System.currentTimeMillis())).isFalse();
    assertThat(leases.acquire("p", "b", LONG)).isEqualTo(2);
    assertThat(leases.renew("p", "a", 1, LONG)).as("a released it").isFalse();
  }

  @Test
  void anUnrenewedLeaseIsTakenOverAndItsOldHolderCannotRenewIt() throws InterruptedException {
    assertThat(leases.acquire("p", "a", Duration.ofMillis(50))).isEqualTo(1);
    Thread.sleep(100);
    assertThat(leases.acquire("p", "b", LONG)).isEqualTo(2);
    assertThat(leases.renew("p", "a", 1, LONG)).isFalse();
    assertThat(leases.find("p").holder()).isEqualTo("b");
  }

  @Test
  void aCommitUnderAnOlderEpochIsRefusedEvenWhenIcebergRetriesIt() {
    lake.createFolders(java.util.List.of("s"));
    Table table =
        lake.catalog()
            .createTable(
                org.apache.iceberg.catalog.TableIdentifier.of("s", "t"),
                new Schema(Types.NestedField.required(1, "k", Types.LongType.get())));
    // the old holder loaded the table before the new holder's commit: its commit is retried on
    // the refreshed metadata, where the validator must still see the newer epoch
    Table stale = lake.catalog().loadTable(org.apache.iceberg.catalog.TableIdentifier.of("s", "t"));
    commit(table, 1);
    commit(table, 2);
    assertThatThrownBy(() -> commit(stale, 1))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("lost it");
    commit(table, 2);
    commit(table, 3);
    table.refresh();
    assertThat(table.currentSnapshot().summary()).containsEntry(Fencing.key("p"), "3");
  }

  private static void commit(Table table, long epoch) {
    var append = table.newAppend();
    Fencing.apply(append, Map.of(Fencing.key("p"), String.valueOf(epoch), "other", "x"));
    append.commit();
  }
}
