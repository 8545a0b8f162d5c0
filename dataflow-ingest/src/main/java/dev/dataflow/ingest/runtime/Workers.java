package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Leases;
import dev.dataflow.lake.MetadataDb;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The processes that run pipelines, as the metadata store knows them: each says it is alive every
 * few seconds, and holds the lease of each pipeline it runs. Nothing else coordinates them.
 */
public final class Workers implements AutoCloseable {
  /** How long a lease lasts unrenewed: a worker killed outright loses its pipelines after this. */
  static final Duration LEASE = Duration.ofSeconds(10);

  /** How often a worker renews its leases and looks for pipelines nobody runs. */
  static final Duration BEAT = Duration.ofSeconds(2);

  /**
   * A worker, when it was last heard from (alive when within a lease's duration), and the pipelines
   * whose live lease it holds.
   */
  public record Worker(
      String id,
      String host,
      String role,
      long startedAt,
      long heardAt,
      boolean alive,
      List<String> pipelines) {}

  private static final String PIPELINE = "pipeline/";

  private final MetadataDb db;
  private final Leases leases;
  private final String id;
  private final String host;
  private final String role;
  private final long startedAt = System.currentTimeMillis();

  public Workers(Lake lake, String role) {
    this.db = new MetadataDb(requireNonNull(lake, "lake is null"));
    this.leases = new Leases(db);
    this.role = requireNonNull(role, "role is null");
    this.host = hostName();
    // a new id per start: a restarted process must not inherit a lease it may not hold any more
    this.id = host + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  public String id() {
    return id;
  }

  Leases leases() {
    return leases;
  }

  /** The lease name of a pipeline. */
  static String lease(String pipeline) {
    return PIPELINE + pipeline;
  }

  /** Records that this worker is alive. */
  void beat() {
    long now = System.currentTimeMillis();
    if (db.update("UPDATE df_workers SET heard_at = ? WHERE id = ?", now, id) == 0) {
      db.update(
          "INSERT INTO df_workers (id, host, role, started_at, heard_at) VALUES (?, ?, ?, ?, ?)",
          id,
          host,
          role,
          startedAt,
          now);
    }
  }

  /** Says this worker is gone, so lists stop showing it at once. */
  void leave() {
    db.update("DELETE FROM df_workers WHERE id = ?", id);
  }

  /**
   * The workers heard from in the last minute, each with the pipelines it holds; older rows (a
   * worker killed outright) are forgotten.
   */
  public List<Worker> list() {
    long now = System.currentTimeMillis();
    db.update("DELETE FROM df_workers WHERE heard_at < ?", now - Duration.ofMinutes(1).toMillis());
    List<Leases.Lease> live =
        leases.all().stream()
            .filter(lease -> lease.live(now) && lease.name().startsWith(PIPELINE))
            .toList();
    return db.query(
        "SELECT id, host, role, started_at, heard_at FROM df_workers ORDER BY id",
        row -> {
          String worker = row.getString("id");
          List<String> pipelines = new ArrayList<>();
          for (Leases.Lease lease : live) {
            if (lease.holder().equals(worker)) {
              pipelines.add(pipeline(lease));
            }
          }
          return new Worker(
              worker,
              row.getString("host"),
              row.getString("role"),
              row.getLong("started_at"),
              row.getLong("heard_at"),
              row.getLong("heard_at") > now - LEASE.toMillis(),
              List.copyOf(pipelines));
        });
  }

  /** The pipeline of a lease: {@code pipeline/NAME}, or {@code pipeline/NAME@WORKER} if shared. */
  private static String pipeline(Leases.Lease lease) {
    String name = lease.name().substring(PIPELINE.length());
    int worker = name.indexOf('@');
    return worker < 0 ? name : name.substring(0, worker);
  }

  /** The worker holding a pipeline's live lease, or null. */
  String holder(String pipeline) {
    Leases.Lease lease = leases.find(lease(pipeline));
    return lease != null && lease.live(System.currentTimeMillis()) ? lease.holder() : null;
  }

  /** The workers holding a live lease on a pipeline, its shared ones too. */
  List<String> holders(String pipeline) {
    long now = System.currentTimeMillis();
    return leases.all().stream()
        .filter(lease -> lease.live(now) && lease.name().startsWith(PIPELINE))
        .filter(lease -> pipeline(lease).equals(pipeline))
        .map(Leases.Lease::holder)
        .toList();
  }

  @Override
  public void close() {
    db.close();
  }
}
