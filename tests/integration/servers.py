"""servers.py - third-party web servers for the integration tests beyond
nginx (qvtest.Ctx.nginx): Debian's apache2 and lighttpd, each serving a
directory over HTTP and HTTPS on free loopback ports, started in the
foreground with a private configuration and stopped with the case.

  apache2(ctx, root, cert)   -> (http_url, https_url)
  lighttpd(ctx, root, cert)  -> (http_url, https_url)
cert is (certificate PEM, key PEM); the HTTPS URLs name localhost."""
import os
import shutil
import subprocess

from qvtest import Skip, free_port, wait_port

APACHE_MODULES = "/usr/lib/apache2/modules"


def _readable(path):
    os.chmod(path, 0o644)  # the servers drop privileges before reading keys
    return path


def apache2(ctx, root, cert):
    exe = shutil.which("apache2") or "/usr/sbin/apache2"
    if not os.path.exists(exe) or not os.path.exists(f"{APACHE_MODULES}/mod_ssl.so"):
        raise Skip("apache2 not installed (apt-get install apache2)")
    http, https = free_port(), free_port()
    d = ctx.path(f"apache2-{http}")
    os.makedirs(d)
    os.chmod(d, 0o777)
    mods = "".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so\n" for m in
                   ("mpm_event", "authz_core", "mime", "dir", "ssl", "socache_shmcb"))
    conf = os.path.join(d, "httpd.conf")
    with open(conf, "w") as f:
        f.write(f"""ServerRoot "{d}"
{mods}Listen 127.0.0.1:{http}
Listen 127.0.0.1:{https} https
PidFile {d}/httpd.pid
ErrorLog {d}/error.log
Mutex file:{d} default
DefaultRuntimeDir {d}
ServerName localhost
User nobody
Group nogroup
DocumentRoot {root}
TypesConfig /etc/mime.types
KeepAlive On
<Directory {root}>
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:{https}>
  SSLEngine on
  SSLCertificateFile {_readable(cert[0])}
  SSLCertificateKeyFile {_readable(cert[1])}
</VirtualHost>
""")
    p = ctx.spawn([exe, "-f", conf, "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
    for port in (http, https):
        wait_port(port, p, 20, "apache2")
    return f"http://127.0.0.1:{http}", f"https://localhost:{https}"


def lighttpd(ctx, root, cert):
    exe = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
    if not os.path.exists(exe):
        raise Skip("lighttpd not installed (apt-get install lighttpd)")
    if not os.path.exists("/usr/lib/lighttpd/mod_openssl.so"):
        raise Skip("lighttpd's TLS module not installed (apt-get install lighttpd-mod-openssl)")
    http, https = free_port(), free_port()
    d = ctx.path(f"lighttpd-{http}")
    os.makedirs(d)
    os.chmod(d, 0o777)
    conf = os.path.join(d, "lighttpd.conf")
    with open(conf, "w") as f:
        f.write(f"""server.document-root = "{root}"
server.port = {http}
server.bind = "127.0.0.1"
server.errorlog = "{d}/error.log"
server.username = "nobody"
server.groupname = "nogroup"
server.modules += ("mod_openssl")
mimetype.assign = (".gif" => "image/gif", ".json" => "application/json", "" => "application/octet-stream")
$SERVER["socket"] == "127.0.0.1:{https}" {{
  ssl.engine = "enable"
  ssl.pemfile = "{_readable(cert[0])}"
  ssl.privkey = "{_readable(cert[1])}"
}}
""")
    p = ctx.spawn([exe, "-D", "-f", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for port in (http, https):
        wait_port(port, p, 20, "lighttpd")
    return f"http://127.0.0.1:{http}", f"https://localhost:{https}"
