namespace Juggle;

/// <summary>
/// Marks a public static method as callable by remote workers (the cluster executor). A worker node runs only
/// methods that carry this attribute, in the assemblies it was told to load: a message on the broker can never
/// name any other method (say <c>System.IO.File.Delete</c>). The cluster executor checks it at <c>Submit</c> too.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class JuggleFunctionAttribute : Attribute
{
}
