package dev.xetl.transform;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One record of the feed read from its bytes (contract: Source feed, RFC 4180): a field is quoted
 * (quotes doubled inside; commas and line breaks allowed) or unquoted (not starting with a quote,
 * no comma; a quote inside it is a character), fields separated by commas.
 *
 * <p>Quotes and commas are ASCII, so reading bytes is reading UTF-8 text, and bytes that are not
 * UTF-8 are left as they are (ClassifyRecord finds them). One pass, no regular expression, no
 * backtracking; {@link #state} says how the text ends:
 *
 * <ul>
 *   <li>{@link #CLOSED}: a complete record, its fields in {@link #start}/{@link #end};
 *   <li>{@link #OPEN}: inside a quoted field at the end: the record goes on in the next line;
 *   <li>{@link #BROKEN}: a closing quote followed by something other than a comma or the end.
 * </ul>
 *
 * Read {@link #fromInside} (the rest of a quoted field opened on an earlier line), a text without
 * a quote is {@code OPEN}: the field goes on. The numbers are records.py's CLOSED, OPEN, BROKEN.
 */
public final class CsvRecord {
  public static final int CLOSED = 0;
  public static final int OPEN = 1;
  public static final int BROKEN = 2;

  public int state;
  /** Fields read, in order; for a record that is not CLOSED, those before the fault. */
  public int count;
  /** Field i is bytes [start[i], end[i]) of the text, a quoted one with its quotes. */
  public int[] start = new int[16];
  public int[] end = new int[16];
  /** Whether the text has a byte outside ASCII, or one below 0x20 (a C0 control, tab included):
   * most records have neither, and then the checks for encoding and control characters are skipped. */
  public boolean sawNonAscii;
  public boolean sawControl;

  /** Reads `text` from a record's start. The arrays are reused: one instance per task thread. */
  public CsvRecord fromStart(byte[] text) {
    count = 0;
    state = read(text, 0);
    flagBytes(text);
    return this;
  }

  /** Reads `text` from inside a quoted field (the fields after it are recorded, the first is not). */
  public CsvRecord fromInside(byte[] text) {
    count = 0;
    int closing = closingQuote(text, 0);
    if (closing < 0) {
      state = OPEN;
    } else {
      int after = afterClosingQuote(text, closing);
      state = after != -1 ? after : read(text, closing + 2);
    }
    return this;
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L, HIGH_BITS = 0x8080808080808080L;

  /** Sets sawNonAscii and sawControl, eight bytes at a time ("has a byte less than 0x20" for
   * bytes below 0x80: Hacker's Delight / Bit Twiddling Hacks' hasless, exact for existence). */
  private void flagBytes(byte[] text) {
    long high = 0, below = 0;
    int i = 0, n = text.length;
    for (; i + 8 <= n; i += 8) {
      long word = (long) LONGS.get(text, i);
      high |= word;
      below |= (word - ONES * 0x20) & ~word;
    }
    for (; i < n; i++) {
      high |= text[i];
      if (text[i] >= 0 && text[i] < 0x20) below = HIGH_BITS;
    }
    sawNonAscii = (high & HIGH_BITS) != 0;
    sawControl = (below & HIGH_BITS) != 0;
  }

  /** Whether field i is quoted (its bytes start with the quote). */
  public boolean quoted(byte[] text, int i) {
    return end[i] > start[i] && text[start[i]] == '"';
  }

  private int read(byte[] text, int at) {
    int n = text.length;
    while (true) {
      if (at < n && text[at] == '"') {
        int closing = closingQuote(text, at + 1);
        if (closing < 0) return OPEN;
        add(at, closing + 1);
        int after = afterClosingQuote(text, closing);
        if (after != -1) return after;
        at = closing + 2; // past the quote and its comma
      } else {
        int comma = at;
        while (comma < n && text[comma] != ',') comma++;
        add(at, comma);
        if (comma == n) return CLOSED;
        at = comma + 1;
      }
    }
  }

  /** CLOSED at the end, BROKEN before anything but a comma, -1 (go on) before a comma. */
  private int afterClosingQuote(byte[] text, int closing) {
    int next = closing + 1;
    if (next == text.length) return CLOSED;
    if (text[next] != ',') return BROKEN;
    return -1;
  }

  /** The index of the quote closing a quoted field whose text starts at `from`, or -1. */
  private static int closingQuote(byte[] text, int from) {
    int n = text.length;
    int at = from;
    while (at < n) {
      if (text[at] == '"') {
        if (at + 1 < n && text[at + 1] == '"') {
          at += 2;
          continue;
        }
        return at;
      }
      at++;
    }
    return -1;
  }

  private void add(int from, int to) {
    if (count == start.length) {
      start = java.util.Arrays.copyOf(start, count * 2);
      end = java.util.Arrays.copyOf(end, count * 2);
    }
    start[count] = from;
    end[count] = to;
    count++;
  }
}
