package dev.dataflow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * An S3 warehouse's data file cache as a server's {@code /metrics} (Prometheus text) shows it: a
 * hit or a miss is one data file a statement held, found on local disk or downloaded.
 *
 * @param hits files found in the cache
 * @param misses files that waited for a download
 * @param fetchedBytes bytes downloaded from the store
 * @param sizeBytes bytes the cache holds
 */
record CacheMetrics(long hits, long misses, long fetchedBytes, long sizeBytes) {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Reads the server's metrics; fails when they have no cache, as a local warehouse's. */
  static CacheMetrics scrape(URI metrics) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(metrics + " answered " + response.statusCode());
    }
    Map<String, Long> values = new HashMap<>();
    for (String line : response.body().split("\n")) {
      String[] parts = line.split(" ");
      if (!line.startsWith("#") && parts.length == 2) {
        values.put(parts[0], (long) Double.parseDouble(parts[1]));
      }
    }
    return new CacheMetrics(
        value(values, metrics, "dataflow_cache_hits_total"),
        value(values, metrics, "dataflow_cache_misses_total"),
        value(values, metrics, "dataflow_cache_fetched_bytes_total"),
        value(values, metrics, "dataflow_cache_size_bytes"));
  }

  private static long value(Map<String, Long> values, URI metrics, String name) {
    Long value = values.get(name);
    if (value == null) {
      throw new IllegalStateException(
          metrics + " has no " + name + ": is that server's warehouse in S3?");
    }
    return value;
  }

  /** What happened between {@code earlier} and this reading; the size is this reading's. */
  CacheMetrics since(CacheMetrics earlier) {
    return new CacheMetrics(
        hits - earlier.hits,
        misses - earlier.misses,
        fetchedBytes - earlier.fetchedBytes,
        sizeBytes);
  }

  /** Hits over hits and misses; NaN when no file was held. */
  double hitRate() {
    return (double) hits / (hits + misses);
  }
}
