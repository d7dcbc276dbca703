using System.Globalization;
using System.Text;

namespace Juggle.TracingAB;

/// <summary>CPU and wall time per task, round by round against that round's A.</summary>
internal static class Timing
{
    private const string Traced = "B traced";

    public static string Measure(List<(string Name, string Label, Variant Variant)> variants, int rounds, int tasks, int warmUp, string command)
    {
        var b = variants.Single(v => v.Name == "B").Variant;
        var all = variants.Append((Name: Traced, Label: "B traced — every span recorded", Variant: b)).ToList();
        var names = all.Select(v => v.Name).ToArray();
        var loadBefore = Report.LoadAverage();
        var started = DateTime.UtcNow;
        Console.WriteLine($"{rounds} rounds x {tasks:N0} tasks after {warmUp} warm-up rounds, {Environment.ProcessorCount} core(s) visible, load average {loadBefore}");
        var wall = names.ToDictionary(n => n, _ => new List<double>());
        var cpu = names.ToDictionary(n => n, _ => new List<double>());
        var bytes = names.ToDictionary(n => n, _ => new List<double>());
        var random = new Random(20261202);
        for (var round = -warmUp; round < rounds; round++)
        {
            // A fresh random order each round: no variant always runs right after another one (its garbage, its caches).
            var order = all.ToArray();
            random.Shuffle(order);
            foreach (var (name, _, variant) in order)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                double ns;
                var count = tasks;
                if (name == Traced)
                {
                    // A traced task costs some 30 untraced ones: a tenth of the tasks keeps the rounds short and alike.
                    count = Math.Max(1, tasks / 10);
                    using (Tracing.Listen())
                    {
                        ns = variant.Run(count);
                    }
                }
                else
                {
                    ns = variant.Run(count);
                }

                var cpuNs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalNanoseconds / count;
                var allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / count;
                if (round >= 0)
                {
                    bytes[name].Add(allocated);
                    wall[name].Add(ns);
                    cpu[name].Add(cpuNs);
                }
            }

            if (round >= 0 && (round + 1) % 10 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1,3}: CPU per task {string.Join(", ", names.Select(n => $"{n} {cpu[n][^1]:F1}"))} ns"));
            }
        }

        var loadAfter = Report.LoadAverage();
        var table = new StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} core (pinned), .NET {Environment.Version}, " +
            $"A = `{variants[0].Variant.Commit}`, B = `{b.Commit}`; load average (1/5/15 min) {loadBefore} before, {loadAfter} after."));
        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| variant | CPU per task, median of {rounds} | CPU, min | wall per task, median | wall, min | allocated per task, min |"));
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, label, _) in all)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {Report.Median(cpu[name]):N1} ns | {cpu[name].Min():N1} ns | {Report.Median(wall[name]):N1} ns | {wall[name].Min():N1} ns | {bytes[name].Min():N0} B |"));
        }

        table.AppendLine();
        table.AppendLine("| ratio, per round: median [interquartile range] | CPU | wall |");
        table.AppendLine("|---|---:|---:|");
        foreach (var (label, baseline, name) in Comparisons(variants))
        {
            table.AppendLine($"| {label} | {Report.Ratio(cpu, baseline, name)} | {Report.Ratio(wall, baseline, name)} |");
        }

        var tracedCpu = Report.Median(cpu[Traced]) - Report.Median(cpu["B"]);
        var tracedWall = Report.Median(wall[Traced]) - Report.Median(wall["B"]);
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| tracing on: B traced − B, per task | +{tracedCpu:N0} ns | +{tracedWall:N0} ns |"));
        // The control must land near 1 round by round, not just in its median: a wide spread hides a 5 % difference.
        var controlRatios = Report.PerRound(cpu, "A", "A again");
        var (control, low, high) = (Report.Median(controlRatios), Report.Quantile(controlRatios, 0.25), Report.Quantile(controlRatios, 0.75));
        table.AppendLine();
        table.AppendLine(Math.Abs(control - 1) <= 0.02 && high - low <= 0.04
            ? string.Create(CultureInfo.InvariantCulture, $"The control is within ±2 % (CPU {control:F3} [{low:F3}–{high:F3}]): the ratios can be read.")
            : string.Create(CultureInfo.InvariantCulture, $"The control is **not** within ±2 % round by round (CPU {control:F3} [{low:F3}–{high:F3}]): the machine was too noisy for the time ratios to mean anything; read the instruction counts."));
        return table.ToString();
    }

    /// <summary>The pairs compared, each as (label, baseline, variant): the control first.</summary>
    public static IEnumerable<(string Label, string Baseline, string Name)> Comparisons(List<(string Name, string Label, Variant Variant)> variants)
    {
        yield return ("control: A again / A", "A", "A again");
        yield return ("B / A", "A", "B");
        var names = variants.Select(v => v.Name).ToHashSet();
        if (names.Contains("B as IL"))
        {
            yield return ("B as IL / A", "A", "B as IL");
        }

        if (names.Contains("B as IL, no hooks"))
        {
            yield return ("other changes since A: B as IL without hooks / A", "A", "B as IL, no hooks");
            if (names.Contains("B as IL"))
            {
                yield return ("tracing hooks: B as IL / B as IL without hooks", "B as IL, no hooks", "B as IL");
            }
        }
    }
}
