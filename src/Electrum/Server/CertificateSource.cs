using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coinshard.Electrum.Server;

/// <summary>Loads the TLS certificate, or says in one line why TLS stays off.</summary>
internal static class CertificateSource
{
    /// <summary>
    /// The configured certificate; null with <paramref name="whyNot"/> when none is configured or a
    /// file is missing (TLS listeners then stay off).
    /// </summary>
    /// <exception cref="InvalidOperationException">The files exist but cannot be read as a certificate and key.</exception>
    public static X509Certificate2? Load(ElectrumCertificateOptions options, out string? whyNot)
    {
        whyNot = null;
        if (!string.IsNullOrWhiteSpace(options.PfxPath))
        {
            if (!File.Exists(options.PfxPath))
            {
                whyNot = $"the PFX file {options.PfxPath} does not exist";
                return null;
            }
            try
            {
                return X509CertificateLoader.LoadPkcs12FromFile(options.PfxPath, string.IsNullOrEmpty(options.PfxPassword) ? null : options.PfxPassword);
            }
            catch (CryptographicException e)
            {
                throw new InvalidOperationException($"cannot read the PFX file {options.PfxPath} (wrong password or not PKCS#12): {e.Message}", e);
            }
        }

        var certPath = options.CertPath;
        var keyPath = options.KeyPath;
        if (string.IsNullOrWhiteSpace(certPath) && string.IsNullOrWhiteSpace(keyPath))
        {
            whyNot = "no certificate is configured (set Certificate:CertPath and Certificate:KeyPath, TLS_CERT_PATH and TLS_KEY_PATH, or Certificate:PfxPath)";
            return null;
        }
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(certPath))
        {
            missing.Add("the certificate path is not set");
        }
        else if (!File.Exists(certPath))
        {
            missing.Add($"the certificate file {certPath} does not exist");
        }
        if (string.IsNullOrWhiteSpace(keyPath))
        {
            missing.Add("the key path is not set");
        }
        else if (!File.Exists(keyPath))
        {
            missing.Add($"the key file {keyPath} does not exist");
        }
        if (missing.Count > 0)
        {
            whyNot = string.Join(" and ", missing);
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath!, keyPath);
            // Re-import through PKCS#12: SslStream on every platform accepts a key loaded this way.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"cannot read the TLS certificate {certPath} with key {keyPath} (PEM certificate and unencrypted PEM key expected, and they must match): {e.Message}", e);
        }
    }
}
