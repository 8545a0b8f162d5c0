package dev.dataflow.ingest.jdbc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One row of PostgreSQL's COPY text format (UTF-8): fields separated by tabs, {@code \N} for NULL,
 * backslash escapes ({@code \b \f \n \r \t \v \\}, {@code \ooo} octal, {@code \xhh} hex bytes).
 */
final class CopyText {
  private CopyText() {}

  /** Parses {@code line} (with or without its final newline) into {@code values}, one per column. */
  static void parse(byte[] line, String[] values) {
    int end = line.length;
    if (end > 0 && line[end - 1] == '\n') {
      end--;
    }
    int column = 0;
    int start = 0;
    for (int i = 0; i <= end; i++) {
      if (i == end || line[i] == '\t') {
        if (column >= values.length) {
          throw new IllegalStateException("COPY row has more than " + values.length + " fields");
        }
        values[column++] = field(line, start, i);
        start = i + 1;
      }
    }
    if (column != values.length) {
      throw new IllegalStateException("COPY row has " + column + " fields, expected " + values.length);
    }
  }

  private static String field(byte[] line, int start, int end) {
    if (end - start == 2 && line[start] == '\\' && line[start + 1] == 'N') {
      return null;
    }
    int backslash = -1;
    for (int i = start; i < end; i++) {
      if (line[i] == '\\') {
        backslash = i;
        break;
      }
    }
    if (backslash < 0) {
      return new String(line, start, end - start, StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
    out.write(line, start, backslash - start);
    int i = backslash;
    while (i < end) {
      byte b = line[i++];
      if (b != '\\' || i >= end) {
        out.write(b);
        continue;
      }
      byte c = line[i++];
      switch (c) {
        case 'b' -> out.write('\b');
        case 'f' -> out.write('\f');
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'v' -> out.write(0x0B);
        case 'x' -> {
          int value = 0;
          int digits = 0;
          while (digits < 2 && i < end && Character.digit(line[i], 16) >= 0) {
            value = value * 16 + Character.digit(line[i++], 16);
            digits++;
          }
          if (digits == 0) {
            out.write('x');
          } else {
            out.write(value);
          }
        }
        default -> {
          if (c >= '0' && c <= '7') {
            int value = c - '0';
            int digits = 1;
            while (digits < 3 && i < end && line[i] >= '0' && line[i] <= '7') {
              value = value * 8 + (line[i++] - '0');
              digits++;
            }
            out.write(value);
          } else {
            out.write(c);
          }
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
