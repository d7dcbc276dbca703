using System.Text.Json.Serialization;

namespace Juggle.Remoting;

/// <summary>
/// Precompiled JSON contracts for the values most functions take and return, ahead of reflection in
/// <see cref="ArgumentCodec.Options"/>. A fresh worker (and a fresh app) then serialises its first int or string
/// without building System.Text.Json's reflection machinery (its table of built-in converters and member accessors:
/// ~80 JIT-compiled methods at every process start). The contracts take the options they are used with, so the wire
/// format is exactly reflection's; other types still go to reflection.
/// </summary>
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(bool[]))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(List<double>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(int[][]))]
[JsonSerializable(typeof(string[][]))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PrimitiveContracts : JsonSerializerContext;
