using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Juggle.Remoting;

/// <summary>
/// Serialises arguments and results with System.Text.Json. Values are only ever read back into a type the reader
/// chooses (a method's declared parameter or return type); no type name on the wire drives deserialization.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class ArgumentCodec
{
    private static readonly Lock s_optionsLock = new();
    private static IJsonTypeInfoResolver? s_appResolver;
    private static JsonSerializerOptions? s_options;
    private static volatile bool s_plainUsed;

    /// <summary>The options both sides use: public fields included (value tuples), NaN/Infinity allowed.</summary>
    public static JsonSerializerOptions Options => Volatile.Read(ref s_options) ?? CreateOptionsOnce();

    /// <summary>
    /// Puts the app's contracts (a source-generated context) ahead of reflection, which NativeAOT may lack for its
    /// types. False once <see cref="Options"/> is in use: both processes must agree from the first value on.
    /// </summary>
    public static bool TryUseResolver(IJsonTypeInfoResolver resolver)
    {
        lock (s_optionsLock)
        {
            if (s_options is not null || s_plainUsed)
            {
                return ReferenceEquals(s_appResolver, resolver);
            }

            s_appResolver = resolver;
            return true;
        }
    }

    public static byte[] Serialize(object? value, Type type) =>
        UsesPlainJson && PlainJson.TryWrite(value, type, out var json) ? json : JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public static object? Deserialize(ReadOnlySpan<byte> json, Type type) =>
        UsesPlainJson && PlainJson.TryRead(json, type, out var value) ? value : JsonSerializer.Deserialize(json, type, Options);

    /// <summary>Why <paramref name="type"/> cannot cross a process boundary as JSON, or <see langword="null"/> if it can.</summary>
    public static string? GetUnsupportedReason(Type type) =>
        UsesPlainJson && PlainJson.Handles(type) ? null : Caches.Unsupported.GetOrAdd(type, static t => FindUnsupportedReason(t, depth: 0));

    /// <summary>
    /// Plain values skip System.Text.Json unless the app supplied its own contracts (which might write even an int
    /// another way). Once a plain value was written or read, <see cref="TryUseResolver"/> refuses new contracts, as it
    /// does once the options are in use.
    /// </summary>
    private static bool UsesPlainJson
    {
        get
        {
            if (Volatile.Read(ref s_appResolver) is not null)
            {
                return false;
            }

            if (!s_plainUsed)
            {
                lock (s_optionsLock)
                {
                    if (s_appResolver is not null)
                    {
                        return false;
                    }

                    s_plainUsed = true;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Serialises <paramref name="value"/> as <paramref name="type"/>; the first value of each type is also read back,
    /// so a type that serialises but cannot be recreated (no usable constructor, read-only members) is caught here.
    /// Throws <see cref="ArgumentException"/> naming <paramref name="what"/> and the fix.
    /// </summary>
    public static byte[] SerializeChecked(object? value, Type type, string what, string paramName)
    {
        if (GetUnsupportedReason(type) is { } reason)
        {
            throw new ArgumentException($"{what} of type '{type}' cannot be sent to another process: {reason}. Pass JSON-serialisable data (numbers, strings, arrays, lists, dictionaries, records or classes with public properties).", paramName);
        }

        byte[] json;
        try
        {
            json = Serialize(value, type);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"{what} of type '{type}' cannot be sent to a worker process: System.Text.Json cannot serialise it: {Frames.ExplainJsonFailure(ex)} Pass JSON-serialisable data (records or classes with public properties).", paramName, ex);
        }

        if (value is not null && !Caches.RoundTripped.ContainsKey(type))
        {
            try
            {
                Deserialize(json, type);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                throw new ArgumentException($"{what} of type '{type}' serialises but cannot be read back with System.Text.Json: {ex.Message} Give it a public parameterless constructor or a constructor whose parameters match its properties.", paramName, ex);
            }

            Caches.RoundTripped.TryAdd(type, true);
        }

        return json;
    }

    private static JsonSerializerOptions CreateOptionsOnce()
    {
        lock (s_optionsLock)
        {
            if (s_options is null)
            {
                var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
                {
                    IncludeFields = true,
                    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                    TypeInfoResolver = s_appResolver is null
                        ? JsonTypeInfoResolver.Combine(PrimitiveContracts.Default, new DefaultJsonTypeInfoResolver())
                        : JsonTypeInfoResolver.Combine(s_appResolver, PrimitiveContracts.Default, new DefaultJsonTypeInfoResolver()),
                };
                options.MakeReadOnly();
                Volatile.Write(ref s_options, options);
            }

            return s_options;
        }
    }

    private static string? FindUnsupportedReason(Type type, int depth)
    {
        if (depth > 8)
        {
            return null;
        }

        if (type.IsPointer || type.IsByRef || type.IsByRefLike || type == typeof(IntPtr) || type == typeof(UIntPtr))
        {
            return "pointers, references and ref structs have no meaning in another process";
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "a delegate is code, not data (pass a static method as the function instead)";
        }

        if (typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type))
        {
            return "reflection objects cannot be serialised";
        }

        if (typeof(Task).IsAssignableFrom(type) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)) || type == typeof(ValueTask))
        {
            return "a task is not data (static async methods taking a CancellationToken are awaited in the worker; return its value type)";
        }

        if (typeof(Stream).IsAssignableFrom(type) || typeof(IDisposable).IsAssignableFrom(type) && !type.IsValueType && !IsCollection(type))
        {
            return "it is a resource (stream, handle or disposable object) that lives in one process";
        }

        if (type == typeof(CancellationToken) || typeof(WaitHandle).IsAssignableFrom(type) || typeof(Thread).IsAssignableFrom(type))
        {
            return "it is a synchronisation object that lives in one process";
        }

        if (typeof(Exception).IsAssignableFrom(type))
        {
            return "exceptions do not round-trip through JSON (return a message or an error record instead)";
        }

        if (type == typeof(object))
        {
            return "'object' would arrive as a JsonElement, not the original value; declare a concrete type";
        }

        JsonTypeInfo info;
        try
        {
            info = Options.GetTypeInfo(type);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return ex.Message;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when type.IsAbstract || type.IsInterface:
                return "it is abstract or an interface, so the other side cannot create it; declare a concrete type";
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } element:
                return FindUnsupportedReason(element, depth + 1);
            case JsonTypeInfoKind.Dictionary:
                return (info.KeyType is { } key ? FindUnsupportedReason(key, depth + 1) : null)
                    ?? (info.ElementType is { } value ? FindUnsupportedReason(value, depth + 1) : null);
            default:
                return null;
        }
    }

    private static bool IsCollection(Type type) => typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    // Apart from the options' fields: a NativeAOT app's Main hands over its contracts (TryUseResolver) at every start,
    // including runs that never make a pool, and should not build these dictionaries (and their type initializers) then.
    private static class Caches
    {
        public static readonly ConcurrentDictionary<Type, string?> Unsupported = new();
        public static readonly ConcurrentDictionary<Type, bool> RoundTripped = new();
    }
}
