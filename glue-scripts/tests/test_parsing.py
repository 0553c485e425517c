"""Lines without a quote take a fast path (a split on commas); it must read every such line
exactly as the full RFC 4180 parser does, lose no line, and leave quoted lines to the full parser."""

from generate_products import generate_products
from pyspark.sql import functions as F
from xetl_transform.contract import SOURCE_COLUMNS
from xetl_transform.validate import CSV_OPTIONS, FIELDS_DDL, parse_fields

EDGE_LINES = [
    "a,b,c,d,e,f", "a,b,c,d,e,", ",,,,,", "a,b,c,d,e", "a,b,c,d,e,f,g", "", " ", " a , b ,c,d,e,f ",
    "a,b\\,c,d,e,f", "ä,ö,ü,€,𝄞,漢", "a;b;c;d;e;f", "a,,c,,e,",
]


def test_the_fast_path_reads_unquoted_lines_as_the_csv_parser_does(spark, tmp_path):
    expected = generate_products(tmp_path, rows=3000, date="2026-11-21", bad_ratio=0.3, seed=5)
    generated = [line for line in expected.files[0].read_text(encoding="utf-8").splitlines() if '"' not in line]
    lines = spark.createDataFrame([(line,) for line in generated + EDGE_LINES], "raw_line string")

    def normalised(struct):
        # The two parsers may spell an empty field as "" or null; validation treats both as empty.
        fields = [struct.getField(name) for name in (*SOURCE_COLUMNS, "_wrong_column_count")]
        return [F.when(field != "", field).alias(f"f{i}") for i, field in enumerate(fields)]

    full = F.from_csv("raw_line", FIELDS_DDL, CSV_OPTIONS)
    both = parse_fields(lines).select("raw_line", F.struct(*normalised(F.col("_f"))).alias("fast"),
                                      F.struct(*normalised(full)).alias("full"))
    differing = both.where(~F.col("fast").eqNullSafe(F.col("full"))).collect()
    assert len(generated) > 1000 and both.count() == len(generated) + len(EDGE_LINES)
    assert differing == []


def test_quoted_lines_are_split_by_the_csv_parser(spark):
    lines = spark.createDataFrame([('P-1,"Chair, oak ""Émile""",,1.00,2,x',)], "raw_line string")
    fields = parse_fields(lines).select("_f.*").first().asDict()
    assert fields["product_name"] == 'Chair, oak "Émile"'
    assert fields["category"] in (None, "")
    assert fields["_wrong_column_count"] is None
