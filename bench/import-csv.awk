# Deterministic CSV files for bench/import, as an office would export them: a header row
# of the kind's field names, then n rows, every one valid by the domain's rules.
#
#   awk -v kind=members -v n=100000 -f bench/import-csv.awk >members.csv
#   awk -v kind=activities -v n=1000000 -f bench/import-csv.awk >activities.csv
#
# members: distinct organisation numbers (eight digits counted up from 81000000 with their
# MOD11 check digit; a prefix whose check digit would be 10 is skipped), municipalities
# 3030-3037, one in seven associated, joined 2015-2024, one in five left two years later,
# employees empty in one row of three, external_ref m-0000001, ...
# activities: the four kinds and three statuses, dated 2015-2024, participants empty in
# one row of four, municipality empty in one row of six, no measure (a measure_id would
# need the plan's measures in the organisation), external_ref a-0000001, ...
# The same n gives the same bytes; the first n rows of a longer file are those of a shorter.

function day(i, year) {
  return sprintf("%04d-%02d-%02d", year, 1 + int(i / 10) % 12, 1 + int(i / 120) % 28)
}

BEGIN {
  if (kind != "members" && kind != "activities") {
    print "import-csv.awk: kind must be members or activities" >"/dev/stderr"
    exit 2
  }
  if (n !~ /^[0-9]+$/) {
    print "import-csv.awk: n must be a whole number" >"/dev/stderr"
    exit 2
  }
  split("3 2 7 6 5 4 3 2", weight, " ")
  split("3030 3031 3032 3033 3034 3035 3036 3037", municipality, " ")

  if (kind == "members") {
    print "org_number,name,municipality,membership_type,joined_on,left_on,employees,external_ref"
    prefix = 81000000
    for (i = 1; i <= n; prefix++) {
      sum = 0
      for (k = 1; k <= 8; k++) sum += substr(prefix, k, 1) * weight[k]
      check = 11 - sum % 11
      if (check == 10) continue
      if (check == 11) check = 0
      year = 2015 + i % 10
      printf "%d%d,Medlemsbedrift %06d AS,%s,%s,%s,%s,%s,m-%07d\n",
        prefix, check, i, municipality[1 + i % 8],
        (i % 7 == 0 ? "associated" : "ordinary"),
        day(i, year), (i % 5 == 0 ? day(i, year + 2) : ""),
        (i % 3 == 0 ? "" : (i * 37) % 500), i
      i++
    }
  } else {
    print "kind,title,date,status,participants,municipality,measure_id,external_ref"
    split("member_meeting network_meeting other_arena promotion", activity, " ")
    split("planned held held cancelled", status, " ")
    for (i = 1; i <= n; i++)
      printf "%s,Medlemsmøte på Gardermoen %07d,%s,%s,%s,%s,,a-%07d\n",
        activity[1 + i % 4], i, day(i, 2015 + i % 10), status[1 + int(i / 4) % 4],
        (i % 4 == 0 ? "" : (i * 13) % 200), (i % 6 == 0 ? "" : municipality[1 + i % 8]), i
  }
}
