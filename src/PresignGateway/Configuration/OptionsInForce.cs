using Microsoft.Extensions.Options;

namespace PresignGateway.Configuration;

/// <summary>
/// The <c>Gateway</c> options in force: the ones validated at start-up, then each reload's once it has passed the
/// same validation (SiteTableProvider publishes them together with the routing table it built from them). Readers
/// on the request path take <see cref="Current"/> (one volatile read); objects built from the options subscribe.
/// </summary>
internal sealed class OptionsInForce
{
    private readonly Lock _lock = new();
    private volatile GatewayOptions _current;
    private Action<GatewayOptions>[] _subscribers = [];

    public OptionsInForce(IOptions<GatewayOptions> options) => _current = options.Value;

    public GatewayOptions Current => _current;

    /// <summary>
    /// Calls <paramref name="apply"/> now with the options in force, then with every options published. Both happen
    /// under the publishing lock, so a reload that comes while a subscriber is being built is never missed, and
    /// <paramref name="apply"/> (which must be idempotent) never runs twice at once.
    /// </summary>
    public void Subscribe(Action<GatewayOptions> apply)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers, apply];
            apply(_current);
        }
    }

    public void Unsubscribe(Action<GatewayOptions> apply)
    {
        lock (_lock)
        {
            _subscribers = Array.FindAll(_subscribers, subscriber => subscriber != apply);
        }
    }

    /// <summary>Puts validated options in force and has every subscriber apply them, one reload at a time.</summary>
    public void Publish(GatewayOptions options)
    {
        lock (_lock)
        {
            _current = options;
            foreach (Action<GatewayOptions> apply in _subscribers)
            {
                apply(options);
            }
        }
    }
}
