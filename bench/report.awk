# Turns bench/run.sh's raw results into Markdown tables (POSIX awk; mawk and gawk both work).
# Input 1, cases.tsv:   case  title  ref1  ref2  basis  (ref1/ref2: the targets the ratios are against; basis: rps
#                       or mibs, what the ratios divide)
# Input 2, results.tsv: case  target  round  requests  duration_us  bytes  p50_us  p99_us  errors  cpu_us  peak_rss_kb
#                       other_us  steal_us   (CPU used by processes outside the benchmark, and hypervisor steal)
# Per case and target: medians over the rounds (req/s, p50, p99, MiB/s), the req/s of every round (the noise),
# ratios of the median req/s (or MiB/s, per the case's basis) to the two references, CPU time of the target's processes per request and in cores
# (summed over the rounds), errors (summed) and the peak RSS seen by the sampler (max; "-" when not sampled).
BEGIN { FS = "\t" }

FNR == NR {
  ncase++; cases[ncase] = $1; title[$1] = $2; ref1[$1] = $3; ref2[$1] = $4; basis[$1] = ($5 == "mibs" ? "mibs" : "rps")
  next
}

{
  c = $1; t = $2
  if (!((c, t) in seen)) { seen[c, t] = 1; nt[c]++; targets[c, nt[c]] = t }
  k = c SUBSEP t
  n[k]++
  i = n[k]
  secs = $5 / 1e6
  rps[k, i] = $4 / secs
  p50[k, i] = $7
  p99[k, i] = $8
  mibs[k, i] = $6 / secs / 1048576
  req[k] += $4; dur[k] += $5; err[k] += $9; cpu[k] += $10
  if ($11 != "-") { has_rss[k] = 1; if ($11 + 0 > rss[k] + 0) rss[k] = $11 }
  o = $12 / $5; st = $13 / $5
  if (!(c in omin) || o < omin[c]) omin[c] = o
  if (!(c in omax) || o > omax[c]) omax[c] = o
  if (!(c in smax) || st > smax[c]) smax[c] = st
}

function median(arr, k, count,    i, j, tmp, v) {
  for (i = 1; i <= count; i++) v[i] = arr[k, i]
  for (i = 2; i <= count; i++) {
    tmp = v[i]
    for (j = i - 1; j >= 1 && v[j] > tmp; j--) v[j + 1] = v[j]
    v[j + 1] = tmp
  }
  if (count % 2) return v[(count + 1) / 2]
  return (v[count / 2] + v[count / 2 + 1]) / 2
}

function fmt_rate(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x) }
function fmt_ms(us) { return us < 10000 ? sprintf("%.2f", us / 1000) : sprintf("%.0f", us / 1000) }
function fmt_cpu(us) { return us < 1000 ? sprintf("%.0f µs", us) : sprintf("%.1f ms", us / 1000) }
function ratio(a, b) { return b > 0 ? sprintf("%.2f×", a / b) : "-" }
function rate(k, how) { return how == "mibs" ? median(mibs, k, n[k]) : median(rps, k, n[k]) }

END {
  for (ci = 1; ci <= ncase; ci++) {
    c = cases[ci]
    if (!(c in nt)) continue
    r1 = ref1[c]; r2 = ref2[c]
    printf "\n### %s\n\n", title[c]
    unit = basis[c] == "mibs" ? "MiB/s" : "req/s"
    printf "| target | req/s (median) | req/s per round | p50 ms | p99 ms | MiB/s | %s vs %s | %s vs %s | CPU per req | CPU cores | errors | peak RSS MiB |\n", unit, r1, unit, r2
    printf "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    m1 = ((c, r1) in seen) ? rate(c SUBSEP r1, basis[c]) : 0
    m2 = ((c, r2) in seen) ? rate(c SUBSEP r2, basis[c]) : 0
    for (ti = 1; ti <= nt[c]; ti++) {
      t = targets[c, ti]; k = c SUBSEP t
      m = median(rps, k, n[k])
      mr = rate(k, basis[c])
      rounds = ""
      for (i = 1; i <= n[k]; i++) rounds = rounds (i > 1 ? " / " : "") fmt_rate(rps[k, i])
      printf "| %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %.2f | %d | %s |\n",
        t, fmt_rate(m), rounds, fmt_ms(median(p50, k, n[k])), fmt_ms(median(p99, k, n[k])),
        median(mibs, k, n[k]), ratio(mr, m1), ratio(mr, m2),
        (req[k] > 0 ? fmt_cpu(cpu[k] / req[k]) : "-"), (dur[k] > 0 ? cpu[k] / dur[k] : 0), err[k],
        (k in has_rss) ? sprintf("%.0f", rss[k] / 1024) : "-"
    }
    printf "\nDuring these runs, processes outside the benchmark used %.2f–%.2f cores; hypervisor steal peaked at %.2f cores.\n", omin[c], omax[c], smax[c]
  }
}
