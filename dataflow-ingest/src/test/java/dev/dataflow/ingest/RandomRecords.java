package dev.dataflow.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.dataflow.ingest.files.CsvOptions;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

/**
 * Files of random good records and random corruptions, each with its own count of what it wrote:
 * the ids of the records that must land and the text ({@code raw}) of those that must reach the
 * error table. A record is what RFC 4180 reads: a line, unless a quote opens a field, which then
 * runs to its closing quote, or to the end of the file when there is none. A file's lines end in
 * LF, in CRLF, or each in either, and a quoted value may hold either. Every case is seeded by the
 * run's seed and its number, so a failure names both and {@code -Ddataflow.seed=N} runs a new seed.
 */
public final class RandomRecords {
  /** The columns every case declares. */
  public static final LinkedHashMap<String, String> COLUMNS = columns();

  private static final String[] DELIMITERS = {",", ";", "|", "\t"};
  private static final String[] QUOTES = {"\"", "'", "`"};

  /** Bytes that are never valid UTF-8 on their own; DuckDB shows each as '?'. */
  private static final int[] INVALID = {0xFF, 0xFE, 0x80};

  private static final String LETTERS = "abcdefghij klmnopqrstuvwxyz0123456789éü日本";

  /** What a case wrote: its bytes and what they must read as. */
  public record Written(
      String description, byte[] bytes, CsvOptions csv, List<Long> good, List<String> bad) {
    public long records() {
      return good.size() + bad.size();
    }

    @Override
    public String toString() {
      return description + ": " + new String(bytes, UTF_8).replace("\r", "\\r");
    }
  }

  /**
   * Records one by one and what they must read as: the ids of the good ones and their values as
   * {@code id|name|amount|day}, the text of the bad ones, and the blank ones, which an HTTP body
   * holds as no record and a Kafka topic as an empty message.
   */
  public record Messages(
      List<byte[]> messages,
      List<Long> good,
      List<String> rows,
      List<String> bad,
      List<String> blank) {}

  private final Random random;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final List<Long> good = new ArrayList<>();
  private final List<String> rows = new ArrayList<>();
  private final List<String> bad = new ArrayList<>();
  private final StringBuilder description = new StringBuilder();
  private long nextId;

  /** Whether the reader infers the columns (no mistyped record, one JSON type per key). */
  private boolean inferred;

  /** Whether a bad record may be a JSON array. */
  private boolean arrays;

  /** The file's line end: LF, CRLF, or null when each line picks one. */
  private String newline = "\n";

  /** The text of the record being written, as DuckDB shows it (invalid bytes as '?'). */
  private StringBuilder raw;

  /** Case {@code number}'s records have ids from {@code number * 1000 + 1}, unique in a run. */
  private RandomRecords(long seed, int number) {
    this.random = new Random(seed * 1_000_003L + number);
    this.nextId = number * 1000L + 1;
  }

  /** The run's seed: {@code -Ddataflow.seed=N}, else a fixed one so that a run is repeatable. */
  public static long seed() {
    return Long.getLong("dataflow.seed", 15L);
  }

  /** A case's label for a failure: how to run it again. */
  public static String label(long seed, int number, Written written) {
    return "seed " + seed + " (-Ddataflow.seed=" + seed + "), case " + number + ", " + written;
  }

  /** A CSV file in a random dialect. */
  public static Written csv(long seed, int number) {
    RandomRecords records = new RandomRecords(seed, number);
    return records.csv(records.dialect());
  }

  /** A CSV file in the dialect {@code csv} (a pipeline's files share one). */
  public static Written csv(long seed, int number, CsvOptions csv) {
    return new RandomRecords(seed, number).csv(csv);
  }

  /** A random dialect: delimiter, quote (doubled to escape it) and whether a header comes first. */
  public static CsvOptions dialect(long seed, int number) {
    return new RandomRecords(seed, number).dialect();
  }

  private CsvOptions dialect() {
    String quote = pick(QUOTES);
    return new CsvOptions(random.nextBoolean(), pick(DELIMITERS), quote, quote, "");
  }

  /** A file of JSON lines. */
  public static Written jsonLines(long seed, int number) {
    return new RandomRecords(seed, number).jsonLines();
  }

  /**
   * JSON records one by one, as HTTP requests or Kafka messages carry them: no record holds a line
   * break. Their origins infer the columns, so every value keeps one JSON type and no record is
   * mistyped: the bad ones do not parse. None opens with '[', which would make an HTTP body an
   * array.
   */
  public static Messages jsonMessages(long seed, int number) {
    return new RandomRecords(seed, number).messages(false);
  }

  /** Like {@link #jsonMessages}, and some bad ones are JSON arrays, as a topic may hold. */
  public static Messages kafkaMessages(long seed, int number) {
    return new RandomRecords(seed, number).messages(true);
  }

  private Messages messages(boolean arrays) {
    inferred = true;
    this.arrays = arrays;
    List<byte[]> messages = new ArrayList<>();
    List<String> blank = new ArrayList<>();
    int count = random.nextInt(12);
    for (int i = 0; i < count; i++) {
      bytes.reset();
      if (random.nextInt(15) == 0) {
        String text = pick("", " ", "  ");
        bytes.writeBytes(text.getBytes(UTF_8));
        blank.add(text);
      } else {
        jsonRecord();
      }
      messages.add(bytes.toByteArray());
    }
    return new Messages(messages, good, rows, bad, blank);
  }

  /** The unterminated quote on the last line of issue 15, as a user wrote it. */
  public static Written unterminatedLastLine() {
    String text =
        "id,name,amount,day\n1,ann,2.50,2026-01-01\n3254,\"never closed,1.00,2026-01-01\n";
    return new Written(
        "issue 15",
        text.getBytes(UTF_8),
        CsvOptions.defaults(),
        List.of(1L),
        List.of("3254,\"never closed,1.00,2026-01-01"));
  }

  /**
   * A file whose first line ends in CRLF and whose next ones end in LF after a closing quote:
   * DuckDB's scanner reports no error and runs them together into rejects, the good ones too.
   */
  public static Written quoteBeforeABareLf() {
    String text =
        "id,name,amount,day\r\n1,ann,2.50,\"2026-01-01\"\n2,bob,1.00,\"2026-01-02\"\n"
            + "3,cy,x,\"2026-01-03\"\n";
    return new Written(
        "issue 15, mixed line ends",
        text.getBytes(UTF_8),
        CsvOptions.defaults(),
        List.of(1L, 2L),
        List.of("3,cy,x,\"2026-01-03\""));
  }

  private Written csv(CsvOptions csv) {
    String delimiter = csv.delimiter();
    String quote = csv.quote();
    lineEnds();
    describe(
        (description.isEmpty() ? "" : ", ")
            + "delimiter "
            + delimiter.replace("\t", "TAB")
            + ", quote "
            + quote);
    if (random.nextInt(30) == 0) {
      return written(csv, "empty");
    }
    if (random.nextInt(10) == 0) {
      bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    if (csv.header()) {
      text(String.join(delimiter, COLUMNS.keySet()));
      text(newline());
    }
    int count = random.nextInt(12);
    int unterminated = random.nextInt(4) == 0 ? random.nextInt(count + 1) : -1;
    for (int i = 0; i < count; i++) {
      if (i == unterminated) {
        unterminatedToEnd(csv, count - i);
        return written(csv, "unterminated quote at record " + i);
      }
      csvRecord(csv);
      if (i < count - 1 || unterminated == count || random.nextInt(5) > 0) {
        text(newline());
      }
    }
    if (unterminated == count) {
      // the quote opens the last field of a record at the very end: the file's last byte
      start();
      for (int field = 0; field < 3; field++) {
        field(String.valueOf(nextId++));
        text(csv.delimiter());
      }
      field(csv.quote());
      fail();
      return written(csv, "quote as the last byte");
    }
    return written(csv, "");
  }

  /**
   * A record whose field opens a quote that nothing closes, and the records after it: RFC 4180
   * reads them all as one malformed record.
   */
  private void unterminatedToEnd(CsvOptions csv, int records) {
    start();
    int open = random.nextInt(COLUMNS.size());
    List<String> values = goodValues();
    csvFields(csv, values.subList(0, open), true);
    text(open > 0 ? csv.delimiter() : "");
    text(csv.quote());
    csvFields(csv, unquoted(csv, values.subList(open, values.size())), false);
    for (int i = 1; i < records; i++) {
      text(newline());
      csvFields(csv, unquoted(csv, goodValues()), false);
    }
    if (random.nextBoolean()) {
      text(newline());
    }
    fail();
  }

  /** The values without the quote character: nothing after an unterminated quote closes it. */
  private static List<String> unquoted(CsvOptions csv, List<String> values) {
    return values.stream().map(value -> value.replace(csv.quote(), "")).toList();
  }

  private void csvRecord(CsvOptions csv) {
    start();
    List<String> values = goodValues();
    switch (random.nextInt(16)) {
      case 0 -> {
        values.add("x");
        csvFields(csv, values, true);
        fail();
      }
      case 1 -> {
        csvFields(csv, values.subList(0, 1 + random.nextInt(values.size() - 1)), true);
        fail();
      }
      case 2 -> {
        values.set(random.nextBoolean() ? 0 : 2, pick("12a", "1.2.3", "abc", "--1"));
        csvFields(csv, values, true);
        fail();
      }
      case 3 -> {
        values.set(3, pick("2026-13-45", "yesterday", "2026-02-30"));
        csvFields(csv, values, true);
        fail();
      }
      case 4 -> {
        csvInvalidName(csv, values);
        fail();
      }
      case 5 -> {
        values.set(2, "1\0");
        csvFields(csv, values, true);
        fail();
      }
      case 6 -> {
        // a quoted field with text after its closing quote
        values.set(1, csv.quote() + "ab" + csv.quote() + "c");
        csvFields(csv, values, false);
        fail();
      }
      case 7 -> {
        // a NUL in text is a character like any other
        values.set(1, "a\0b");
        csvFields(csv, values, true);
        pass(values);
      }
      default -> {
        csvFields(csv, values, true);
        pass(values);
      }
    }
  }

  private void csvInvalidName(CsvOptions csv, List<String> values) {
    for (int field = 0; field < values.size(); field++) {
      if (field > 0) {
        text(csv.delimiter());
      }
      if (field == 1) {
        boolean quoted = random.nextBoolean();
        text(quoted ? csv.quote() + "a" : "a");
        invalid();
        text(quoted ? "b" + csv.quote() : "b");
      } else {
        field(values.get(field));
      }
    }
  }

  /**
   * Writes the values as CSV fields; when {@code escape}, a value quoted as RFC 4180 needs it (and
   * sometimes when it does not), else as it is.
   */
  private void csvFields(CsvOptions csv, List<String> values, boolean escape) {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        text(csv.delimiter());
      }
      field(escape ? escaped(csv, values.get(i)) : values.get(i));
    }
  }

  private String escaped(CsvOptions csv, String value) {
    boolean special =
        value.contains(csv.delimiter())
            || value.contains(csv.quote())
            || value.contains("\n")
            || value.contains("\r");
    if (!special && (value.isEmpty() || random.nextInt(4) > 0)) {
      return value;
    }
    return csv.quote() + value.replace(csv.quote(), csv.quote() + csv.quote()) + csv.quote();
  }

  /** id, name, amount, day: values that cast, the name with any character the dialects use. */
  private List<String> goodValues() {
    List<String> values = new ArrayList<>();
    values.add(String.valueOf(nextId++));
    values.add(name());
    values.add(String.format("%d.%02d", random.nextInt(20000) - 10000, random.nextInt(100)));
    values.add(
        String.format(
            "20%02d-%02d-%02d",
            random.nextInt(30), 1 + random.nextInt(12), 1 + random.nextInt(28)));
    return values;
  }

  private String name() {
    StringBuilder name = new StringBuilder();
    int length = random.nextInt(8);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        name.append(pick(DELIMITERS));
      } else if (kind == 1) {
        name.append(pick(QUOTES));
      } else if (kind == 2) {
        // a line end in a value: either kind, whatever the file's records end in
        name.append(pick("\n", "\r\n"));
      } else {
        name.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
      }
    }
    return name.toString();
  }

  private Written jsonLines() {
    lineEnds();
    if (random.nextInt(30) == 0) {
      return written(null, "empty");
    }
    if (random.nextInt(10) == 0) {
      bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    int count = random.nextInt(12);
    for (int i = 0; i < count; i++) {
      if (random.nextInt(10) == 0) {
        text(pick("", "  ") + newline());
      }
      jsonRecord();
      if (i < count - 1 || random.nextInt(5) > 0) {
        text(newline());
      }
    }
    return written(null, "");
  }

  /**
   * One JSON record on one line. A line whose first character opens an array would make the whole
   * file read as one JSON array: only objects start a line here.
   */
  private void jsonRecord() {
    start();
    List<String> values = goodValues();
    int kind = random.nextInt(12);
    switch (inferred && kind == 2 ? 11 : kind) {
      case 0 -> {
        String object = jsonObject(values);
        text(object.substring(0, 1 + random.nextInt(object.length() - 1)));
        fail();
      }
      case 1 -> {
        text(
            arrays
                ? pick("42", "\"text\"", "null", "true", "{\"id\": 1} [1, 2]", "[1]", "[]")
                : pick("42", "\"text\"", "null", "true", "{\"id\": 1} [1, 2]"));
        fail();
      }
      case 2 -> {
        values.set(0, pick("\"x\"", "\"1x\"", "[1]"));
        text(jsonObject(values));
        fail();
      }
      case 3 -> {
        jsonInvalidName(values);
        fail();
      }
      case 4 -> {
        // a control character must be escaped in a JSON string
        text(jsonObject(values).replace("\"name\": \"", "\"name\": \"a\0"));
        fail();
      }
      default -> {
        text(jsonObject(values));
        pass(values);
      }
    }
  }

  private void jsonInvalidName(List<String> values) {
    String object = jsonObject(values);
    int name = object.indexOf("\"name\": \"") + "\"name\": \"".length();
    text(object.substring(0, name));
    invalid();
    text(object.substring(name));
  }

  private String jsonObject(List<String> values) {
    List<String> keys = new ArrayList<>(COLUMNS.keySet());
    StringBuilder object = new StringBuilder("{");
    for (int i = 0; i < keys.size(); i++) {
      String value = values.get(i);
      boolean number = i == 0 || (i == 2 && (inferred || random.nextBoolean()));
      object.append(i > 0 ? ", " : "").append('"').append(keys.get(i)).append("\": ");
      object.append(number && !value.isEmpty() ? value : jsonString(value));
    }
    return object.append('}').toString();
  }

  private static String jsonString(String value) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> json.append(c);
      }
    }
    return json.append('"').toString();
  }

  /** Picks the file's line ends: all LF, all CRLF, or each line either. */
  private void lineEnds() {
    newline = pick("\n", "\r\n", null);
    if (newline == null) {
      describe("mixed line ends");
    }
  }

  /** The next line's end. */
  private String newline() {
    return newline != null ? newline : pick("\n", "\r\n");
  }

  private void start() {
    raw = new StringBuilder();
  }

  private void pass(List<String> values) {
    good.add(Long.parseLong(values.get(0)));
    rows.add(String.join("|", values));
  }

  /**
   * The record written since {@link #start} is malformed; its raw drops the line ends around it.
   */
  private void fail() {
    bad.add(raw.toString().replaceAll("^[\r\n]+|[\r\n]+$", ""));
  }

  private void field(String value) {
    text(value);
  }

  private void text(String text) {
    bytes.writeBytes(text.getBytes(UTF_8));
    if (raw != null) {
      raw.append(text);
    }
  }

  private void invalid() {
    bytes.write(INVALID[random.nextInt(INVALID.length)]);
    raw.append('?');
  }

  private void describe(String text) {
    description.append(text);
  }

  private Written written(CsvOptions csv, String note) {
    describe(note.isEmpty() ? "" : (description.isEmpty() ? "" : ", ") + note);
    return new Written(description.toString(), bytes.toByteArray(), csv, good, bad);
  }

  @SafeVarargs
  private <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static LinkedHashMap<String, String> columns() {
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    columns.put("id", "BIGINT");
    columns.put("name", "VARCHAR");
    columns.put("amount", "DECIMAL(10,2)");
    columns.put("day", "DATE");
    return columns;
  }
}
