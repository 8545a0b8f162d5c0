package dev.dataflow.ingest.files;

/**
 * What reading one file produced: {@code records} = {@code good} (rows in the target table) +
 * {@code bad} (rows appended to the errors table); {@code bytes} is the file's size.
 */
public record FileReadResult(long records, long good, long bad, long bytes) {}
