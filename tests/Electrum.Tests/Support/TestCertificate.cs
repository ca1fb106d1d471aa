using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coinshard.Electrum.Tests.Support;

/// <summary>A self-signed certificate for "localhost" made at test time, written as PEM (cert + key) and as PFX.</summary>
internal sealed record TestCertificate(string CertPath, string KeyPath, string PfxPath, string PfxPassword, string Thumbprint)
{
    public static TestCertificate Create(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        var pfxPath = Path.Combine(directory, "cert.pfx");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        const string password = "test-password";
        File.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12, password));
        return new TestCertificate(certPath, keyPath, pfxPath, password, certificate.Thumbprint);
    }
}
