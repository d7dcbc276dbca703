using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Juggle.Remoting;

/// <summary>
/// How a remote function is called: which parameters carry data (as JSON in their declared types), which receive a
/// <see cref="CancellationToken"/> supplied by the worker, and what the result type is once a returned task is awaited.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal sealed class FunctionSignature
{
    private readonly bool[] _isToken;
    private readonly PropertyInfo? _taskResult;

    public FunctionSignature(MethodInfo method)
    {
        Method = method;
        var parameters = method.GetParameters();
        _isToken = new bool[parameters.Length];
        var valueTypes = new List<Type>(parameters.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (type == typeof(CancellationToken))
            {
                _isToken[i] = true;
            }
            else
            {
                valueTypes.Add(type);
            }
        }

        ValueParameterTypes = [.. valueTypes];
        var returnType = method.ReturnType;
        if (returnType == typeof(void) || returnType == typeof(Task))
        {
            ResultType = null;
            ReturnsTask = returnType == typeof(Task);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            ResultType = returnType.GetGenericArguments()[0];
            ReturnsTask = true;
            _taskResult = returnType.GetProperty(nameof(Task<int>.Result));
        }
        else
        {
            ResultType = returnType;
        }
    }

    public MethodInfo Method { get; }

    /// <summary>The declared types of the parameters that carry data, in order (cancellation tokens left out).</summary>
    public Type[] ValueParameterTypes { get; }

    /// <summary>The type the result is serialised as; <see langword="null"/> for void and <see cref="Task"/>.</summary>
    public Type? ResultType { get; }

    public bool ReturnsTask { get; }

    /// <summary>Calls the method with the data arguments (tokens filled in), awaiting a returned task.</summary>
    public object? Invoke(object? target, object?[] valueArguments, CancellationToken cancellationToken)
    {
        if (valueArguments.Length != ValueParameterTypes.Length)
        {
            throw new ArgumentException($"{FunctionReference.Describe(Method)} takes {ValueParameterTypes.Length} argument(s), got {valueArguments.Length}.", nameof(valueArguments));
        }

        object?[] arguments;
        if (valueArguments.Length == _isToken.Length)
        {
            arguments = valueArguments;
        }
        else
        {
            arguments = new object?[_isToken.Length];
            var next = 0;
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = _isToken[i] ? cancellationToken : valueArguments[next++];
            }
        }

        var result = Method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        if (!ReturnsTask)
        {
            return result;
        }

        var task = result as Task ?? throw new InvalidOperationException($"{FunctionReference.Describe(Method)} returned a null Task.");
        task.GetAwaiter().GetResult();
        return _taskResult?.GetValue(task);
    }
}
