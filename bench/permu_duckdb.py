"""The per-mu evaluation of contracts §4 written as one DuckDB SQL query, the peer that `jiqun evaluate`
is measured against (bench/permu.sh). Usage: python3 bench/permu_duckdb.py IN.csv OUT.csv [THREADS]"""
import sys

import duckdb

src, dst = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2

ITEMS = {
    "above": [("tax_wan", "land_mu", 30), ("value_added_wan", "land_mu", 20), ("value_added_wan", "energy_tce", 20),
              ("value_added_wan", "emission_t", 10), ("value_added_wan", "employees", 10), ("rd_wan", "revenue_wan", 10)],
    "below": [("tax_wan", "land_mu", 50), ("tax_wan", "electricity_mwh", 50)],
}


def scale_query(scale):
    items = ITEMS[scale]
    v = ",\n".join(f"CASE WHEN {d} IS NOT NULL AND {d} <> 0 AND {n} IS NOT NULL THEN {n} / {d} END AS v{k}, "
                   f"CASE WHEN {d} IS NOT NULL AND {d} <> 0 AND {n} IS NOT NULL THEN {n} END AS n{k}, "
                   f"CASE WHEN {d} IS NOT NULL AND {d} <> 0 AND {n} IS NOT NULL THEN {d} END AS d{k}"
                   for k, (n, d, _) in enumerate(items))
    b = ",\n".join(f"SUM(n{k}) OVER g / SUM(d{k}) OVER g AS b{k}" for k in range(len(items)))
    s = ",\n".join(f"CASE WHEN v{k} IS NULL THEN NULL WHEN b{k} IS NULL OR b{k} = 0 THEN 0.0 "
                   f"ELSE {w} * LEAST(v{k} / b{k}, 2.0) END AS s{k}" for k, (_, _, w) in enumerate(items))
    f = " + ".join(f"COALESCE(s{k}, COALESCE(AVG(s{k}) OVER g, 0.0))" for k in range(len(items)))
    return f"""
    SELECT uscc, city, scale, score,
           RANK() OVER (PARTITION BY city, scale ORDER BY score DESC) AS rnk,
           COUNT(*) OVER (PARTITION BY city, scale) AS n
    FROM (SELECT uscc, city, scale, {f} AS score FROM (
            SELECT *, {s} FROM (
                SELECT *, {b} FROM (SELECT *, {v} FROM rated WHERE scale = '{scale}')
                WINDOW g AS (PARTITION BY city, scale))
            WINDOW g AS (PARTITION BY city, scale))
          WINDOW g AS (PARTITION BY city, scale))
    """


con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute("SET preserve_insertion_order = false")
query = f"""
COPY (
WITH src AS (
    SELECT * FROM read_csv('{src}', header = true, columns = {{
        'uscc': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'scale': 'VARCHAR', 'founded_year': 'INTEGER',
        'year': 'INTEGER', 'land_mu': 'DOUBLE', 'tax_wan': 'DOUBLE', 'revenue_wan': 'DOUBLE',
        'value_added_wan': 'DOUBLE', 'rd_wan': 'DOUBLE', 'energy_tce': 'DOUBLE', 'emission_t': 'DOUBLE',
        'employees': 'DOUBLE', 'electricity_mwh': 'DOUBLE'}})),
classified AS (
    SELECT *, CASE WHEN year - founded_year < 2 THEN '新设企业'
                   WHEN scale = 'below' AND land_mu < 3 THEN '规下用地不足3亩' END AS reason FROM src),
rated AS (SELECT * FROM classified WHERE reason IS NULL),
scored AS ({scale_query('above')} UNION ALL {scale_query('below')}),
result AS (
    SELECT uscc, city, scale, printf('%.6f', score) AS score, CAST(rnk AS VARCHAR) AS rank,
           CAST(n AS VARCHAR) AS group_size,
           CASE WHEN 100 * rnk <= 20 * n THEN 'A' WHEN 100 * rnk <= 60 * n THEN 'B'
                WHEN 100 * rnk <= 95 * n THEN 'C' ELSE 'D' END AS class, '' AS reason, rnk AS sort_rank
    FROM scored
    UNION ALL
    SELECT uscc, city, scale, '', '', '', 'T', reason, 9223372036854775807 FROM classified WHERE reason IS NOT NULL)
SELECT uscc, city, scale, score, rank, group_size, class, reason FROM result
ORDER BY city, scale, sort_rank, uscc
) TO '{dst}' (HEADER, DELIMITER ',', QUOTE '')
"""
con.execute(query)
