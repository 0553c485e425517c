package dev.xetl.transform;

import org.apache.spark.sql.api.java.UDF1;

/**
 * The quote state at the end of a line read from inside a quoted field (CsvRecord#fromInside):
 * the Spark SQL function {@code xetl_quote_state_inside(raw_line_bytes)} records.py uses to follow
 * multi-line records.
 */
public final class QuoteStateInside implements UDF1<byte[], Integer> {
  private static final long serialVersionUID = 1L;

  @Override
  public Integer call(byte[] text) {
    return new CsvRecord().fromInside(text).state;
  }
}
