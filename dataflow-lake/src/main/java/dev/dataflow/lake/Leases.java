package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import java.time.Duration;
import java.util.List;

/**
 * Leases in the metadata store: who runs a named piece of work (a pipeline), until when, and under
 * which epoch. The epoch grows with every new holder, so work committed under an older epoch can be
 * refused ({@link Fencing}); nothing else coordinates the processes. Expiry is by the holders'
 * clocks, which must agree to well within the lease's duration (NTP does).
 *
 * <p>Thread-safe: every call is one statement on the shared {@link MetadataDb}.
 */
public final class Leases {
  /** A lease as stored; {@code expiresAt} 0 when released. */
  public record Lease(String name, String holder, long epoch, long expiresAt) {
    public boolean live(long now) {
      return expiresAt > now;
    }
  }

  private final MetadataDb db;

  public Leases(MetadataDb db) {
    this.db = requireNonNull(db, "db is null");
  }

  /**
   * Takes the lease for {@code holder} when nobody holds it or its holder stopped renewing it;
   * returns the new epoch, or -1 when another holder's lease is live.
   */
  public long acquire(String name, String holder, Duration duration) {
    requireNonNull(name, "name is null");
    requireNonNull(holder, "holder is null");
    long now = System.currentTimeMillis();
    long until = now + duration.toMillis();
    try {
      if (db.update(
              "INSERT INTO df_leases (name, holder, epoch, expires_at) SELECT ?, ?, 1, ?"
                  + " WHERE NOT EXISTS (SELECT 1 FROM df_leases WHERE name = ?)",
              name,
              holder,
              until,
              name)
          == 1) {
        return 1;
      }
    } catch (DataflowException e) {
      // another holder inserted it at the same moment: it is theirs
      return -1;
    }
    int taken =
        db.update(
            "UPDATE df_leases SET holder = ?, epoch = epoch + 1, expires_at = ?"
                + " WHERE name = ? AND expires_at <= ?",
            holder,
            until,
            name,
            now);
    if (taken == 0) {
      return -1;
    }
    Lease lease = find(name);
    return lease != null && lease.holder().equals(holder) ? lease.epoch() : -1;
  }

  /** Extends a lease still held under {@code epoch}; false when it was lost. */
  public boolean renew(String name, String holder, long epoch, Duration duration) {
    long now = System.currentTimeMillis();
    return db.update(
            "UPDATE df_leases SET expires_at = ?"
                + " WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?",
            now + duration.toMillis(),
            name,
            holder,
            epoch,
            now)
        == 1;
  }

  /** Gives a lease up at once, keeping its epoch so the next holder's is higher. */
  public void release(String name, String holder, long epoch) {
    db.update(
        "UPDATE df_leases SET expires_at = 0 WHERE name = ? AND holder = ? AND epoch = ?",
        name,
        holder,
        epoch);
  }

  public Lease find(String name) {
    List<Lease> found =
        db.query("SELECT * FROM df_leases WHERE name = ?", Leases::lease, requireNonNull(name));
    return found.isEmpty() ? null : found.get(0);
  }

  public List<Lease> all() {
    return db.query("SELECT * FROM df_leases ORDER BY name", Leases::lease);
  }

  private static Lease lease(java.sql.ResultSet row) throws java.sql.SQLException {
    return new Lease(
        row.getString("name"),
        row.getString("holder"),
        row.getLong("epoch"),
        row.getLong("expires_at"));
  }
}
