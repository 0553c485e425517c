package dev.xetl.transform;

import java.nio.ByteBuffer;
import org.apache.spark.sql.api.java.UDF1;

/** {@link RepeatedHashes}' result as an array of longs: {@code xetl_unpack_hashes(binary)}. */
public final class UnpackHashes implements UDF1<byte[], long[]> {
  private static final long serialVersionUID = 1L;

  @Override
  public long[] call(byte[] packed) {
    ByteBuffer bytes = ByteBuffer.wrap(packed);
    long[] hashes = new long[packed.length / 8];
    for (int i = 0; i < hashes.length; i++) hashes[i] = bytes.getLong();
    return hashes;
  }
}
