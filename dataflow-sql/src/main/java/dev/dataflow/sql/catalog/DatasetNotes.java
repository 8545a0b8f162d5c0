package dev.dataflow.sql.catalog;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.MetadataDb;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A dataset's description and tags, written by people, kept in the metadata store (table {@code
 * df_dataset_notes}) beside the catalog, keyed by the dataset's path.
 */
public final class DatasetNotes implements AutoCloseable {
  static final int MAX_DESCRIPTION = 10_000;
  static final int MAX_TAGS = 20;
  // tags are stored one per line and shown as chips: no line breaks, nothing long
  private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}_ .:/-]{1,40}");

  /** The notes of one dataset; {@code updatedAt} and {@code updatedBy} are null until written. */
  public record Notes(
      String path, String description, List<String> tags, String updatedAt, String updatedBy) {}

  private final MetadataDb db;

  public DatasetNotes(Lake lake) {
    this.db = new MetadataDb(requireNonNull(lake, "lake is null"));
  }

  public Notes find(DatasetPath path) {
    requireNonNull(path, "path is null");
    List<Notes> found =
        db.query(
            "SELECT path, description, tags, updated_at, updated_by FROM df_dataset_notes"
                + " WHERE path = ?",
            DatasetNotes::read,
            path.toString());
    return found.isEmpty() ? new Notes(path.toString(), "", List.of(), null, null) : found.get(0);
  }

  /** Replaces the notes of a dataset; tags are trimmed and kept once each, in order. */
  public Notes save(DatasetPath path, String description, List<String> tags, String principal) {
    requireNonNull(path, "path is null");
    requireNonNull(description, "description is null");
    requireNonNull(tags, "tags is null");
    requireNonNull(principal, "principal is null");
    List<String> clean = checked(description, tags);
    String key = path.toString();
    long now = System.currentTimeMillis();
    db.update("DELETE FROM df_dataset_notes WHERE path = ?", key);
    db.update(
        "INSERT INTO df_dataset_notes (path, description, tags, updated_at, updated_by)"
            + " VALUES (?, ?, ?, ?, ?)",
        key,
        description,
        String.join("\n", clean),
        now,
        principal);
    return new Notes(key, description, clean, Instant.ofEpochMilli(now).toString(), principal);
  }

  private static List<String> checked(String description, List<String> tags) {
    if (description.length() > MAX_DESCRIPTION) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "The description has "
              + description.length()
              + " characters; at most "
              + MAX_DESCRIPTION);
    }
    LinkedHashSet<String> clean = new LinkedHashSet<>();
    for (String tag : tags) {
      String trimmed = tag == null ? "" : tag.trim();
      if (!TAG.matcher(trimmed).matches()) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Tag '"
                + tag
                + "' is not allowed: a tag is 1 to 40 letters, digits, spaces or _ . : / -");
      }
      clean.add(trimmed);
    }
    if (clean.size() > MAX_TAGS) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "A dataset has at most " + MAX_TAGS + " tags");
    }
    return List.copyOf(clean);
  }

  private static Notes read(ResultSet row) throws SQLException {
    String tags = row.getString("tags");
    return new Notes(
        row.getString("path"),
        row.getString("description"),
        tags.isEmpty() ? List.of() : Arrays.asList(tags.split("\n")),
        Instant.ofEpochMilli(row.getLong("updated_at")).toString(),
        row.getString("updated_by"));
  }

  @Override
  public void close() {
    db.close();
  }
}
