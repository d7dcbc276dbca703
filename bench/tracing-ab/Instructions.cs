using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Juggle.TracingAB;

/// <summary>
/// Instructions executed per task, counted by callgrind (all threads of the process) between a zero and a dump around
/// each variant's loop. The machine's load changes how long an instruction takes, not how many run: the count moves
/// only with what the code does (and with how often a waiting thread spins, which the A again control shows).
/// </summary>
internal static class Instructions
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int OnValgrind();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Mark();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Dump([MarshalAs(UnmanagedType.LPUTF8Str)] string label);

    public static string Measure(List<(string Name, string Label, Variant Variant)> variants, string marksPath, string dumps, int rounds, int tasks, int warmUp, string command)
    {
        var library = NativeLibrary.Load(Path.GetFullPath(marksPath));
        var onValgrind = Marshal.GetDelegateForFunctionPointer<OnValgrind>(NativeLibrary.GetExport(library, "juggle_ab_on_valgrind"));
        var start = Marshal.GetDelegateForFunctionPointer<Mark>(NativeLibrary.GetExport(library, "juggle_ab_start"));
        var zero = Marshal.GetDelegateForFunctionPointer<Mark>(NativeLibrary.GetExport(library, "juggle_ab_zero"));
        var dump = Marshal.GetDelegateForFunctionPointer<Dump>(NativeLibrary.GetExport(library, "juggle_ab_dump"));
        if (onValgrind() == 0)
        {
            throw new InvalidOperationException("--instructions counts with callgrind: run under valgrind --tool=callgrind --instr-atstart=no (bench/tracing-ab/run.sh does).");
        }

        var loadBefore = Report.LoadAverage();
        var started = DateTime.UtcNow;
        Console.WriteLine($"instructions: {rounds} rounds x {tasks:N0} tasks after {warmUp} warm-up rounds, load average {loadBefore}");

        // Make sure every variant's code is compiled before counting starts; callgrind instruments from here on.
        foreach (var (_, _, variant) in variants)
        {
            variant.Run(Math.Min(tasks, 1000));
        }

        start();
        var random = new Random(20261202);
        var labels = new List<(string Label, string Name)>();
        for (var round = -warmUp; round < rounds; round++)
        {
            var order = variants.ToArray();
            random.Shuffle(order);
            foreach (var (name, _, variant) in order)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var label = string.Create(CultureInfo.InvariantCulture, $"juggle-ab round {round} {name}");
                zero();
                variant.Run(tasks);
                dump(label);
                if (round >= 0)
                {
                    labels.Add((label, name));
                }
            }

            Console.WriteLine(round < 0 ? $"warm-up round {round + warmUp + 1} of {warmUp} done" : $"round {round + 1} of {rounds} done");
        }

        var counts = ReadDumps(dumps);
        var perTask = variants.ToDictionary(v => v.Name, _ => new List<double>());
        foreach (var (label, name) in labels)
        {
            if (!counts.TryGetValue(label, out var count))
            {
                throw new InvalidOperationException($"No callgrind dump for '{label}' beside {dumps}: was the process run with --callgrind-out-file={dumps}?");
            }

            perTask[name].Add((double)count / tasks);
        }

        var loadAfter = Report.LoadAverage();
        var table = new StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC under callgrind (valgrind {ValgrindVersion()}; one thread runs at a time), .NET {Environment.Version}, " +
            $"A = `{variants[0].Variant.Commit}`, B = `{variants[2].Variant.Commit}`; {rounds} rounds x {tasks:N0} tasks; load average (1/5/15 min) {loadBefore} before, {loadAfter} after."));
        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| variant | instructions per task, median of {rounds} | min | max |"));
        table.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, label, _) in variants)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {Report.Median(perTask[name]):N1} | {perTask[name].Min():N1} | {perTask[name].Max():N1} |"));
        }

        table.AppendLine();
        table.AppendLine("| ratio of instructions, per round: median [interquartile range] | ratio | difference per task (medians) |");
        table.AppendLine("|---|---:|---:|");
        foreach (var (label, baseline, name) in Timing.Comparisons(variants))
        {
            var difference = Report.Median(perTask[name]) - Report.Median(perTask[baseline]);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {Report.Ratio(perTask, baseline, name)} | {difference:+#,0.0;−#,0.0;0.0} |"));
        }

        return table.ToString();
    }

    /// <summary>Every dump's label (its trigger) and total instruction count, from the files callgrind wrote.</summary>
    private static Dictionary<string, long> ReadDumps(string prefix)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(prefix))!;
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(directory, Path.GetFileName(prefix) + "*"))
        {
            string? label = null;
            long? total = null;
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("desc: Trigger: Client Request: ", StringComparison.Ordinal))
                {
                    label = line["desc: Trigger: Client Request: ".Length..].Trim();
                }
                else if (line.StartsWith("totals:", StringComparison.Ordinal) || line.StartsWith("summary:", StringComparison.Ordinal))
                {
                    total = long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }

            if (label is not null && total is not null)
            {
                result[label] = total.Value;
            }
        }

        return result;
    }

    private static string ValgrindVersion()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("valgrind", "--version") { RedirectStandardOutput = true })!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text.Replace("valgrind-", "", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
