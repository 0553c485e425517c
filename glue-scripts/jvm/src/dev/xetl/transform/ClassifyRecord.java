package dev.xetl.transform;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.Decimal;

/**
 * The record-level rules of the contract (docs/data-contract.md, "Validation and quarantine"),
 * applied to one record in one pass over its bytes: the Spark SQL function jvm.py registers as
 * {@code xetl_classify_record(raw_line_bytes, layout)}.
 *
 * <p>{@code layout} is the record's file layout, {@code "width:p0,p1,p2,p3,p4,p5"}: the number of
 * fields in the file's header and the field index of each of {@link #COLUMNS} (-1: the file has
 * no such column). The result is a struct ({@link #RESULT_DDL}): the record's quote state
 * ({@link CsvRecord}), the contract columns' values (bytes, unquoted; null where the record has no
 * such field), the typed price, quantity and timestamp (null unless valid), and the first reason
 * that applies, in the contract's order, with its detail (both null for a valid record).
 *
 * <p>The names here are contract.py's; a test reads them back through Spark and compares.
 * Written by hand rather than as Spark expressions because each expression decoded the record's
 * bytes anew, which made the checks cost twice a bare CSV pass (docs/benchmarks.md).
 */
public final class ClassifyRecord implements UDF2<byte[], String, Row> {
  private static final long serialVersionUID = 1L;

  /** contract.SOURCE_COLUMNS, in order; the indexes below name their roles. */
  public static final String[] COLUMNS = {
    "product_id", "product_name", "category", "price", "quantity", "updated_at"
  };
  private static final int PRODUCT_ID = 0, PRODUCT_NAME = 1, CATEGORY = 2, PRICE = 3, QUANTITY = 4, UPDATED_AT = 5;
  /** contract.REQUIRED_COLUMNS, in order. */
  public static final String[] REQUIRED_COLUMNS = {"product_id", "product_name", "price", "quantity", "updated_at"};
  private static final int[] REQUIRED = {PRODUCT_ID, PRODUCT_NAME, PRICE, QUANTITY, UPDATED_AT};
  /** contract.MAX_LENGTH (characters), in this order. */
  public static final String[] LIMITED_COLUMNS = {"product_name", "category"};
  public static final int[] MAX_LENGTH = {256, 64};
  private static final int[] LIMITED = {PRODUCT_NAME, CATEGORY};
  public static final int MAX_KEY_LENGTH = 64;
  /** decimal(12, 2): at most 10 digits before the point. */
  public static final int PRICE_PRECISION = 12, PRICE_SCALE = 2;

  /** The record-level reason codes, in the contract's order (contract.REASON_CODES, less the
   * file-level ones before and duplicate_key after). */
  public static final String UNTERMINATED_QUOTE = "unterminated_quote";
  public static final String INVALID_ENCODING = "invalid_encoding";
  public static final String WRONG_COLUMN_COUNT = "wrong_column_count";
  public static final String CONTROL_CHARACTER = "control_character";
  public static final String MISSING_REQUIRED = "missing_required";
  public static final String INVALID_KEY = "invalid_key";
  public static final String INVALID_DECIMAL = "invalid_decimal";
  public static final String INVALID_INTEGER = "invalid_integer";
  public static final String INVALID_TIMESTAMP = "invalid_timestamp";
  public static final String VALUE_TOO_LONG = "value_too_long";
  public static final String[] REASON_CODES = {
    UNTERMINATED_QUOTE, INVALID_ENCODING, WRONG_COLUMN_COUNT, CONTROL_CHARACTER, MISSING_REQUIRED,
    INVALID_KEY, INVALID_DECIMAL, INVALID_INTEGER, INVALID_TIMESTAMP, VALUE_TOO_LONG
  };

  /** The result's Spark type, in DDL (validate.py registers the function with it). */
  public static final String RESULT_DDL =
      "quote_state int, product_id binary, product_name binary, category binary,"
          + " price_value decimal(12,2), quantity_value int, updated_at_micros long,"
          + " reason_code string, reason_detail string";

  // Per instance, and Spark deserializes the function once per task: one thread each.
  private transient CsvRecord record;
  private transient String layoutText;
  private transient int width;
  private transient int[] positions;

  @Override
  public Row call(byte[] text, String layout) {
    if (record == null) record = new CsvRecord();
    if (!layout.equals(layoutText)) readLayout(layout);
    CsvRecord r = record.fromStart(text);

    byte[][] values = new byte[COLUMNS.length][];
    for (int c = 0; c < COLUMNS.length; c++) {
      int field = positions[c];
      values[c] = field >= 0 && field < r.count ? value(text, r, field) : null;
    }
    Decimal price = decimal(values[PRICE]);
    Integer quantity = integer(values[QUANTITY]);
    Long updatedAt = timestampMicros(values[UPDATED_AT]);

    String code = null, detail = null;
    if (r.state != CsvRecord.CLOSED) {
      code = UNTERMINATED_QUOTE;
    } else if (r.sawNonAscii && !isUtf8(text)) {
      code = INVALID_ENCODING;
    } else if (r.count != width) {
      code = WRONG_COLUMN_COUNT;
    } else if (r.sawControl && (detail = controlColumn(values)) != null) {
      code = CONTROL_CHARACTER;
    } else if ((detail = missingColumn(values)) != null) {
      code = MISSING_REQUIRED;
    } else if (!isKey(values[PRODUCT_ID])) {
      code = INVALID_KEY;
      detail = COLUMNS[PRODUCT_ID];
    } else if (price == null) {
      code = INVALID_DECIMAL;
      detail = COLUMNS[PRICE];
    } else if (quantity == null) {
      code = INVALID_INTEGER;
      detail = COLUMNS[QUANTITY];
    } else if (updatedAt == null) {
      code = INVALID_TIMESTAMP;
      detail = COLUMNS[UPDATED_AT];
    } else if ((detail = tooLongColumn(values)) != null) {
      code = VALUE_TOO_LONG;
    }
    return RowFactory.create(
        r.state, values[PRODUCT_ID], values[PRODUCT_NAME], values[CATEGORY], price, quantity, updatedAt, code, detail);
  }

  private void readLayout(String layout) {
    int colon = layout.indexOf(':');
    String[] parts = layout.substring(colon + 1).split(",", -1);
    if (colon < 0 || parts.length != COLUMNS.length) {
      throw new IllegalArgumentException("layout must be width:p0,...,p" + (COLUMNS.length - 1) + ", got " + layout);
    }
    width = Integer.parseInt(layout.substring(0, colon));
    positions = new int[COLUMNS.length];
    for (int c = 0; c < COLUMNS.length; c++) positions[c] = Integer.parseInt(parts[c]);
    layoutText = layout;
  }

  /** Field i's value: an unquoted field as it is, a quoted one without its quotes, "" as ". */
  static byte[] value(byte[] text, CsvRecord r, int i) {
    int from = r.start[i], to = r.end[i];
    if (!r.quoted(text, i) || to - from < 2) return Arrays.copyOfRange(text, from, to);
    from++;
    to--;
    byte[] out = new byte[to - from];
    int n = 0;
    for (int at = from; at < to; at++) {
      out[n++] = text[at];
      if (text[at] == '"') at++; // the second quote of a doubled one
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * Whether the bytes are well-formed UTF-8 (Unicode Table 3-7: no overlong forms, no surrogates,
   * nothing above U+10FFFF), which is exactly when Java's decoder, and so Spark's decode(), keeps
   * them as they are. Checked by hand: decoding and re-encoding every line cost a third of this
   * function on a feed with accented names.
   */
  static boolean isUtf8(byte[] text) {
    int n = text.length, i = 0;
    while (i < n) {
      int b = text[i];
      if (b >= 0) {
        i++;
        continue;
      }
      b &= 0xFF;
      int length, low = 0x80, high = 0xBF; // the allowed range of the second byte
      if (b >= 0xC2 && b <= 0xDF) {
        length = 2;
      } else if (b >= 0xE0 && b <= 0xEF) {
        length = 3;
        if (b == 0xE0) low = 0xA0;
        if (b == 0xED) high = 0x9F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        length = 4;
        if (b == 0xF0) low = 0x90;
        if (b == 0xF4) high = 0x8F;
      } else {
        return false;
      }
      if (i + length > n) return false;
      int second = text[i + 1] & 0xFF;
      if (second < low || second > high) return false;
      for (int k = 2; k < length; k++) {
        if ((text[i + k] & 0xC0) != 0x80) return false;
      }
      i += length;
    }
    return true;
  }

  /** C0 characters but tab and LF; CR only right before LF (a CRLF line break in a quoted field). */
  static boolean hasControlCharacter(byte[] value) {
    for (int i = 0; i < value.length; i++) {
      byte b = value[i];
      if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && !(b == '\r' && i + 1 < value.length && value[i + 1] == '\n')) {
        return true;
      }
    }
    return false;
  }

  private static String controlColumn(byte[][] values) {
    for (int c = 0; c < COLUMNS.length; c++) {
      if (values[c] != null && hasControlCharacter(values[c])) return COLUMNS[c];
    }
    return null;
  }

  private static String missingColumn(byte[][] values) {
    for (int c : REQUIRED) {
      if (values[c] == null || values[c].length == 0) return COLUMNS[c];
    }
    return null;
  }

  private static String tooLongColumn(byte[][] values) {
    for (int i = 0; i < LIMITED.length; i++) {
      byte[] value = values[LIMITED[i]];
      if (value != null && value.length > MAX_LENGTH[i] && characters(value) > MAX_LENGTH[i]) return COLUMNS[LIMITED[i]];
    }
    return null;
  }

  /** Characters of valid UTF-8: every byte that does not continue a character. */
  static int characters(byte[] utf8) {
    int n = 0;
    for (byte b : utf8) if ((b & 0xC0) != 0x80) n++;
    return n;
  }

  /** 1 to 64 of A-Z, a-z, 0-9, '_' and '-'. */
  static boolean isKey(byte[] value) {
    if (value == null || value.length == 0 || value.length > MAX_KEY_LENGTH) return false;
    for (byte b : value) {
      if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /**
   * Digits, then optionally a point and one or two digits; null unless it fits decimal(12, 2).
   * Spark's own Decimal, built from the unscaled long: a java.math.BigDecimal would cost Spark a
   * conversion per row that was a quarter of the whole function.
   */
  static Decimal decimal(byte[] value) {
    if (value == null) return null;
    int n = value.length, at = 0;
    long unscaled = 0;
    int significant = 0;
    while (at < n && isDigit(value[at])) {
      int digit = value[at++] - '0';
      if (significant > 0 || digit != 0) significant++;
      if (significant > PRICE_PRECISION - PRICE_SCALE) return null;
      unscaled = unscaled * 10 + digit;
    }
    if (at == 0) return null;
    int scale = 0;
    if (at < n) {
      if (value[at++] != '.') return null;
      while (at < n && scale < PRICE_SCALE && isDigit(value[at])) {
        unscaled = unscaled * 10 + (value[at++] - '0');
        scale++;
      }
      if (scale == 0 || at < n) return null;
    }
    for (; scale < PRICE_SCALE; scale++) unscaled *= 10;
    return Decimal.apply(unscaled, PRICE_PRECISION, PRICE_SCALE);
  }

  /** Digits only; null unless it fits a 32-bit int (Spark's cast gives null on overflow). */
  static Integer integer(byte[] value) {
    if (value == null || value.length == 0) return null;
    long number = 0;
    for (byte b : value) {
      if (!isDigit(b)) return null;
      number = number * 10 + (b - '0');
      if (number > Integer.MAX_VALUE) return null;
    }
    return (int) number;
  }

  /**
   * YYYY-MM-DDTHH:MM:SS, optionally .f to .ffffff, optionally Z or +00:00 (no other offset), as
   * microseconds since the epoch in UTC; null unless it is a real date and time (as Spark's cast
   * gives null for 2026-02-30 or hour 24).
   */
  static Long timestampMicros(byte[] value) {
    if (value == null || value.length < 19) return null;
    int n = value.length;
    if (!digits(value, 0, 4) || value[4] != '-' || !digits(value, 5, 2) || value[7] != '-' || !digits(value, 8, 2)
        || value[10] != 'T' || !digits(value, 11, 2) || value[13] != ':' || !digits(value, 14, 2) || value[16] != ':'
        || !digits(value, 17, 2)) {
      return null;
    }
    int at = 19;
    long micros = 0;
    if (at < n && value[at] == '.') {
      int from = ++at;
      while (at < n && at - from < 6 && isDigit(value[at])) micros = micros * 10 + (value[at++] - '0');
      if (at == from) return null;
      for (int d = at - from; d < 6; d++) micros *= 10;
    }
    if (at < n) {
      if (value[at] == 'Z' && at + 1 == n) {
        at = n;
      } else if (n - at == 6 && value[at] == '+' && value[at + 1] == '0' && value[at + 2] == '0' && value[at + 3] == ':'
          && value[at + 4] == '0' && value[at + 5] == '0') {
        at = n;
      } else {
        return null;
      }
    }
    try {
      LocalDateTime time = LocalDateTime.of(number(value, 0, 4), number(value, 5, 2), number(value, 8, 2),
          number(value, 11, 2), number(value, 14, 2), number(value, 17, 2));
      return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + micros;
    } catch (DateTimeException notADate) {
      return null;
    }
  }

  private static boolean digits(byte[] value, int from, int length) {
    for (int i = from; i < from + length; i++) if (!isDigit(value[i])) return false;
    return true;
  }

  private static int number(byte[] value, int from, int length) {
    int n = 0;
    for (int i = from; i < from + length; i++) n = n * 10 + (value[i] - '0');
    return n;
  }
}
