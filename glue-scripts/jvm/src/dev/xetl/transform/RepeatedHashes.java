package dev.xetl.transform;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

/**
 * The 64-bit key hashes that occur more than once, as an aggregate: dedup.py's first step, the
 * Spark SQL function {@code xetl_repeated_hashes(hash)} (registered by jvm.py), grouped by a slice
 * of the hash space so that the slices merge in parallel.
 *
 * <p>Each task counts its hashes in an open-addressing table of primitive longs (saturating at
 * two), only the tables travel between tasks, and merging them is the same counting. Spark's own
 * grouped count kept a row per distinct key in a generic hash map and shuffled every row: nearly
 * every key occurs once, so that was the dedup's whole cost. The result is the repeated hashes as
 * big-endian longs (8 bytes each), which {@link UnpackHashes} turns into an array.
 */
public final class RepeatedHashes extends Aggregator<Long, RepeatedHashes.Counts, byte[]> {
  private static final long serialVersionUID = 1L;

  /** Hashes seen once or more than once; 0 (the empty slot) is counted on the side. */
  public static final class Counts implements Serializable {
    private static final long serialVersionUID = 1L;
    long[] slots = new long[1 << 10];
    boolean[] repeated = new boolean[1 << 10];
    int size;
    int zeros; // how often the hash 0 was seen, up to 2

    void add(long hash, boolean twice) {
      if (hash == 0) {
        zeros = Math.min(2, zeros + (twice ? 2 : 1));
        return;
      }
      int mask = slots.length - 1;
      int i = (int) (hash ^ (hash >>> 32)) & mask;
      while (slots[i] != 0) {
        if (slots[i] == hash) {
          repeated[i] = true;
          return;
        }
        i = (i + 1) & mask;
      }
      slots[i] = hash;
      repeated[i] = twice;
      if (++size * 2 > slots.length) grow();
    }

    private void grow() {
      long[] oldSlots = slots;
      boolean[] oldRepeated = repeated;
      slots = new long[oldSlots.length * 2];
      repeated = new boolean[oldSlots.length * 2];
      size = 0;
      for (int i = 0; i < oldSlots.length; i++) {
        if (oldSlots[i] != 0) add(oldSlots[i], oldRepeated[i]);
      }
    }
  }

  @Override
  public Counts zero() {
    return new Counts();
  }

  @Override
  public Counts reduce(Counts counts, Long hash) {
    if (hash != null) counts.add(hash, false);
    return counts;
  }

  @Override
  public Counts merge(Counts into, Counts from) {
    Counts big = into.size >= from.size ? into : from;
    Counts small = big == into ? from : into;
    for (int i = 0; i < small.slots.length; i++) {
      if (small.slots[i] != 0) big.add(small.slots[i], small.repeated[i]);
    }
    for (int k = 0; k < small.zeros; k++) big.add(0, false);
    return big;
  }

  @Override
  public byte[] finish(Counts counts) {
    int n = counts.zeros > 1 ? 1 : 0;
    for (boolean r : counts.repeated) if (r) n++;
    ByteBuffer out = ByteBuffer.allocate(8 * n);
    if (counts.zeros > 1) out.putLong(0);
    for (int i = 0; i < counts.slots.length; i++) if (counts.repeated[i]) out.putLong(counts.slots[i]);
    return out.array();
  }

  @Override
  public Encoder<Counts> bufferEncoder() {
    return Encoders.javaSerialization(Counts.class);
  }

  @Override
  public Encoder<byte[]> outputEncoder() {
    return Encoders.BINARY();
  }
}
