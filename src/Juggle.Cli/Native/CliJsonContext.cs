using System.Text.Json.Serialization;
using Juggle.Cli.Workloads;
using Juggle.RabbitMQ.Internal;

namespace Juggle.Cli.Native;

/// <summary>
/// The JSON contracts of what `--mode processes`, the demo and `juggle worker --processes` (a task message in, an
/// answer out) send to worker processes and back. NativeAOT has no
/// reflection-based JSON for arbitrary types; the JIT-compiled tool uses these too, so both builds behave the same.
/// </summary>
[JsonSerializable(typeof(WordsFile))]
[JsonSerializable(typeof(WordsFile[]))]
[JsonSerializable(typeof(FileCount))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(ProcessTaskInput))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
