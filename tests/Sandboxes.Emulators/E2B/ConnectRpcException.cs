namespace Sandboxes.Emulators.E2B;

/// <summary>A Connect error the emulated envd answers with: a Connect code (<c>not_found</c>, <c>invalid_argument</c>...) and a message.</summary>
public sealed class ConnectRpcException : Exception
{
    /// <summary>Creates the error.</summary>
    public ConnectRpcException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The Connect error code.</summary>
    public string Code { get; }

    /// <summary>The HTTP status the Connect protocol pairs with the code (for unary errors).</summary>
    public int HttpStatus => Code switch
    {
        "canceled" => 499,
        "invalid_argument" or "failed_precondition" or "out_of_range" => 400,
        "unauthenticated" => 401,
        "permission_denied" => 403,
        "not_found" => 404,
        "already_exists" or "aborted" => 409,
        "resource_exhausted" => 429,
        "unimplemented" => 501,
        "unavailable" => 503,
        "deadline_exceeded" => 504,
        _ => 500,
    };

    /// <summary>The code a fault of HTTP status <paramref name="status"/> stands for.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "invalid_argument",
        401 => "unauthenticated",
        403 => "permission_denied",
        404 => "not_found",
        409 => "already_exists",
        429 => "resource_exhausted",
        501 => "unimplemented",
        503 => "unavailable",
        504 => "deadline_exceeded",
        _ => "internal",
    };
}
