using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

public sealed class FunctionReferenceTests
{
    [Fact]
    public void Static_methods_and_static_lambdas_resolve_to_the_same_method()
    {
        Func<int, int> square = ProcessPoolFunctions.Square;
        Assert.Same(square.Method, FunctionReference.FromDelegate(square, "fn").Resolve());

        Func<int, int> lambda = static x => x + 1;
        var resolved = FunctionReference.FromDelegate(lambda, "fn").Resolve();
        Assert.Same(lambda.Method, resolved);
        Assert.Same(lambda.Target, FunctionReference.GetTarget(resolved));
    }

    [Fact]
    public void Capturing_lambdas_instance_methods_and_multicast_delegates_are_refused()
    {
        var captured = 5;
        Func<int, int> capturing = x => x + captured;
        Assert.Contains("captures variables", Assert.Throws<ArgumentException>(() => FunctionReference.FromDelegate(capturing, "fn")).Message);

        var text = "abc";
        Func<string> instance = text.ToUpperInvariant;
        Assert.Contains("instance method", Assert.Throws<ArgumentException>(() => FunctionReference.FromDelegate(instance, "fn")).Message);

        Action multi = ProcessPoolFunctions.SettingInitializer;
        multi += ProcessPoolFunctions.SettingInitializer;
        Assert.Contains("multicast", Assert.Throws<ArgumentException>(() => FunctionReference.FromDelegate(multi, "fn")).Message);

        Func<int> generic = Generic<int>;
        Assert.Contains("generic", Assert.Throws<ArgumentException>(() => FunctionReference.FromDelegate(generic, "fn")).Message);
    }

    [Fact]
    public void A_reference_by_signature_as_a_native_app_sends_it_resolves_to_the_overload_it_names()
    {
        // NativeAOT keeps no metadata tokens: there a reference carries an empty module id and a hash of the signature.
        var one = typeof(FunctionReferenceTests).GetMethod(nameof(Overloaded), [typeof(int)])!;
        var two = typeof(FunctionReferenceTests).GetMethod(nameof(Overloaded), [typeof(string)])!;
        var reference = FunctionReference.FromMethod(one, "fn") with { ModuleVersionId = Guid.Empty, MetadataToken = FunctionReference.SignatureHash(one) };
        Assert.Same(one, reference.Resolve());
        Assert.Same(two, (reference with { MetadataToken = FunctionReference.SignatureHash(two) }).Resolve());
        Assert.NotEqual(FunctionReference.SignatureHash(one), FunctionReference.SignatureHash(two));

        var missing = reference with { MetadataToken = FunctionReference.SignatureHash(one) + 1 };
        Assert.Contains("[DynamicDependency]", Assert.Throws<InvalidOperationException>(missing.Resolve).Message);
        var noType = reference with { TypeName = "No.Such.Type" };
        Assert.Contains("No.Such.Type", Assert.Throws<InvalidOperationException>(noType.Resolve).Message);
    }

    public static int Overloaded(int x) => x;

    public static int Overloaded(string x) => x.Length;

    private static int Generic<T>() => 0;
}
