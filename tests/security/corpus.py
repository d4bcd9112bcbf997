"""Secrets and innocent look-alikes, as data: the masker's corpus (tests/security/test_masker.py) and the
secrets planted in a doc by the end-to-end test (tests/security/test_masking_outputs.py).

Every value here is made up for the tests; none is a real credential.

``SECRETS``: (label, text, secrets): masking ``text`` must replace each of ``secrets`` (its first
occurrence, in order) by ``***`` and change nothing else. ``INNOCENT``: texts masking must keep byte for
byte.
"""

from __future__ import annotations

__all__ = ["INNOCENT", "SECRETS", "expected_masked"]

_PEM_RSA = "MIIEowIBAAKCAQEA7v9XqW3e4r5t6y7u8i9o0p\nq2w3e4r5t6y7u8i9o0pA1s2d3f4g5h6j7k8l9"
_PEM_OPENSSH = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\nAAAAMwAAAAtzc2gtZWQyNTUxOQAAACBx7Yc3"
_PEM_ENCRYPTED = "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEpAIBAAKCAQEAx1y2z3w4"
_GCP_KEY = (
    "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n"
    "-----END PRIVATE KEY-----\\n"
)

# (label, text, secrets masked in it)
SECRETS: list[tuple[str, str, tuple[str, ...]]] = [
    # -- passwords in URLs, one per protocol wiremap speaks
    ("url postgresql", "postgresql://app:Hunt3r-2pw@db.internal:5432/orders", ("Hunt3r-2pw",)),
    ("url postgres", "DATABASE_URL is postgres://orders:s3cr3t-Pg@orders-db:5432/orders", ("s3cr3t-Pg",)),
    ("url redis", "redis://:r3dis-Pa55@cache:6379/0", ("r3dis-Pa55",)),
    # found by the adversary review: credentials for no host, a token where a user name would be
    ("url without a host", "postgresql://app:cl0udsql-Pw@/app?host=/cloudsql/p:r:i", ("cl0udsql-Pw",)),
    (
        "token as the user of a nats url",
        "nats://s3cretT0kenValue123@nats.internal:4222",
        ("s3cretT0kenValue123",),
    ),
    (
        "token as the user of a git url",
        "https://ghtoken123456789abc@github.com/org/repo.git",
        ("ghtoken123456789abc",),
    ),
    ("url rediss", "rediss://default:Tls-R3dis-99@cache.internal:6380", ("Tls-R3dis-99",)),
    ("url amqp, @ and / in the password", "amqp://u:p@ss/w0rd@mq:5672/vh", ("p@ss/w0rd",)),
    ("url amqps, : in the password", "amqps://shop:Rabb1t:Mq@mq.internal:5671/shop", ("Rabb1t:Mq",)),
    ("url nats", "nats://orders:N4ts-t0ken@nats:4222", ("N4ts-t0ken",)),
    ("url mqtt", "mqtt://sensor:Mq77-pw@broker:1883", ("Mq77-pw",)),
    ("url mqtts", "mqtts://sensor:Mq77s-pw@broker:8883", ("Mq77s-pw",)),
    ("url https", "git clone https://deploy:Dep10y-9x7@git.internal/org/repo.git", ("Dep10y-9x7",)),
    ("url http", "http://admin:Adm1n!pw@127.0.0.1:8080/admin", ("Adm1n!pw",)),
    ("url ws", "ws://bot:W5-pass-1@chat:8080/socket", ("W5-pass-1",)),
    ("url wss", "wss://bot:W55-pass-2@chat.example.com/socket", ("W55-pass-2",)),
    ("url mysql", "mysql://root:My5ql-Root@mysql:3306/shop", ("My5ql-Root",)),
    (
        "url mongodb+srv",
        "mongodb+srv://app:M0ngo%40pw@cluster0.abcde.mongodb.net/shop?retryWrites=true",
        ("M0ngo%40pw",),
    ),
    (
        "url with an @ in its query",
        "postgresql://app:Pg-pw-77@db/x?sslmode=require&notify=ops@example.com",
        ("Pg-pw-77",),
    ),
    ("url in backticks", "Connect with `postgresql://app:Bt-pw-3@db/x` first.", ("Bt-pw-3",)),
    ("url mid-sentence", "Connect with postgresql://app:Mid-pw-5@db/x then migrate.", ("Mid-pw-5",)),
    # -- Authorization and API-key headers
    (
        "curl Basic",
        "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA==' https://api/x",
        ("dXNlcjpwYXNzd29yZA==",),
    ),
    ("Token scheme", "Authorization: Token 9f8e7d6c5b4a3f2e1d0c", ("9f8e7d6c5b4a3f2e1d0c",)),
    ("Bearer of 8 characters", 'curl -H "Authorization: Bearer a1b2c3d4" http://x', ("a1b2c3d4",)),
    ("Bearer in JSON", '{"Authorization": "Bearer 4f9a8b7c6d5e4f3a"}', ("4f9a8b7c6d5e4f3a",)),
    ("Bearer in a Python dict", "headers = {'Authorization': 'Bearer Zx9Yw8Vu7Ts6'}", ("Zx9Yw8Vu7Ts6",)),
    ("Proxy-Authorization", "Proxy-Authorization: Basic cHJveHk6c2VjcmV0MQ==", ("cHJveHk6c2VjcmV0MQ==",)),
    (
        "raw HTTP request",
        "GET /v1/orders HTTP/1.1\nAuthorization: Bearer Zz9Yy8Xx7Ww6Vv5\nHost: orders",
        ("Zz9Yy8Xx7Ww6Vv5",),
    ),
    ("Bearer in escaped JSON", '"{\\"Authorization\\": \\"Bearer Esc4pedT0ken\\"}"', ("Esc4pedT0ken",)),
    ("X-Api-Key header", "curl -H 'X-Api-Key: 7c1e9a04b2f3d5e6' https://api/x", ("7c1e9a04b2f3d5e6",)),
    ("X-Api-Key in a dict", '{"X-Api-Key": "k-29f8e7d6c5"}', ("k-29f8e7d6c5",)),
    ("GitLab PRIVATE-TOKEN", "--header 'PRIVATE-TOKEN: s3cr3tGitlabT0k'", ("s3cr3tGitlabT0k",)),
    (
        "X-Auth-Token in code",
        'requests.get(url, headers={"X-Auth-Token": "Xat-12345678"})',
        ("Xat-12345678",),
    ),
    # -- environment variables and key=value
    ("REDIS_AUTH", "export REDIS_AUTH=r3d1sAuth  # the redis password", ("r3d1sAuth",)),
    ("BASIC_AUTH", "BASIC_AUTH=admin:Adm1nPw", ("admin:Adm1nPw",)),
    ("AUTH_TOKEN", "AUTH_TOKEN=tok-5f4e3d2c1b", ("tok-5f4e3d2c1b",)),
    ("_PASS", "export DB_PASS=Pg-Pass-11", ("Pg-Pass-11",)),
    ("_PWD", "MYSQL_PWD=Pwd-99x mysql -h db", ("Pwd-99x",)),
    ("lower-case key=value", "redis_password=hunter22 maxmemory=2gb", ("hunter22",)),
    ("db_pass", "db_pass=S3cure-Pass!", ("S3cure-Pass!",)),
    ("ini, spaces around =", "password = Ini-Pa55word", ("Ini-Pa55word",)),
    ("YAML", "db:\n  password: yaml-Pa55\n  user: app", ("yaml-Pa55",)),
    ("YAML with a comment", "  password: yaml-Pa56  # rotate monthly", ("yaml-Pa56",)),
    ("in backticks", "Set `REDIS_PASSWORD=pw0rd-7` in the env.", ("pw0rd-7",)),
    # found by a new user (round 11): the name in a code span or bold, as an env var list writes it;
    # fmt --diff printed the value while show masked it
    ("list item, name in a code span", "- `NATS_CREDS_PASS`: hunter2hunter2", ("hunter2hunter2",)),
    ("list item, name in bold", "* **API_TOKEN**: tok-9a8b7c6d5e", ("tok-9a8b7c6d5e",)),
    ("list item, code span and =", "- `DB_PASSWORD` = Pg-List-42", ("Pg-List-42",)),
    # round 12: a Health Check command's password flag
    ("mosquitto_sub -P", "mosquitto_sub -h 127.0.0.1 -t x -u dev -P MqttSecretPw1 -C 1", ("MqttSecretPw1",)),
    ("rabbitmqadmin -p", "rabbitmqadmin -u guest -p Rabb1tPw-9 list queues", ("Rabb1tPw-9",)),
    (
        "quoted env value",
        "export STRIPE_API_KEY='sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
        ("sk_test_4eC39HqLyjWDarjtT1zdp7dc",),
    ),
    ("shell default value", "export DB_PASSWORD=${DB_PASSWORD:-Def4ult-pw}", ("Def4ult-pw",)),
    ("docker -e", "docker run -e POSTGRES_PASSWORD=Pg-Docker-1 postgres:16", ("Pg-Docker-1",)),
    ("compose list", "    environment:\n      - MYSQL_ROOT_PASSWORD=Compose-Root-1", ("Compose-Root-1",)),
    ("k8s secret data", "data:\n  password: cGFzc3dvcmQxMjM=", ("cGFzc3dvcmQxMjM=",)),
    ("Java system property", "java -Dspring.datasource.password=J4va-pw -jar app.jar", ("J4va-pw",)),
    ("fish set -x", "set -x API_TOKEN Fish-T0ken-1", ("Fish-T0ken-1",)),
    ("Windows setx", "setx DB_PASSWORD Win-Pa55", ("Win-Pa55",)),
    (
        "AWS session token",
        "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr//////////wEaCXVz",
        ("IQoJb3JpZ2luX2VjEJr//////////wEaCXVz",),
    ),
    # -- command lines
    ("curl -u", "curl -u deploy:Curl-Pw-1 https://x", ("Curl-Pw-1",)),
    ("curl --user", "curl -fsS --user deploy:Curl-Pw-2 https://x", ("Curl-Pw-2",)),
    ("redis-cli -a", "redis-cli -h cache -a R3disCli-pw ping", ("R3disCli-pw",)),
    ("redis-cli --pass", "redis-cli --pass R3disCli-pw2 ping", ("R3disCli-pw2",)),
    ("mysql -p", "mysql -h db -u root -pMy5ql-pw shop", ("My5ql-pw",)),
    ("mysql --password=", "mysql --password=My5ql-pw2 -h db", ("My5ql-pw2",)),
    ("PGPASSWORD", "PGPASSWORD=Pg-Env-pw psql -h db -U app orders", ("Pg-Env-pw",)),
    ("sshpass", "sshpass -p 'Ssh-Pa55' ssh deploy@host", ("Ssh-Pa55",)),
    ("docker login", "docker login -u ci --password Dock3r-pw registry.io", ("Dock3r-pw",)),
    ("mongosh -p", "mongosh 'mongodb://db:27017' -u app -p M0ngo-pw2", ("M0ngo-pw2",)),
    ("sqlcmd -P", "sqlcmd -S db -U sa -P Sq1-Pa55", ("Sq1-Pa55",)),
    ("ldapsearch -w", "ldapsearch -H ldap://ldap -D cn=admin -w Ld4p-pw -b dc=shop", ("Ld4p-pw",)),
    ("keytool -storepass", "keytool -list -keystore ks.jks -storepass K3ystore-pw", ("K3ystore-pw",)),
    ("openssl -passin", "openssl pkcs12 -in a.p12 -passin pass:P12-pw-9", ("P12-pw-9",)),
    ("netrc", "machine api.example.com login deploy password N3trc-pw", ("N3trc-pw",)),
    ("redis.conf", "requirepass R3dis-conf-pw", ("R3dis-conf-pw",)),
    # -- URL query strings
    ("?password=", "https://api.internal/login?user=app&password=Qp-pw-1&x=1", ("Qp-pw-1",)),
    ("&api_key=", "https://api.example.com/v1/items?page=2&api_key=Ak-12345abcde", ("Ak-12345abcde",)),
    ("?token=", "wss://stream.example.com/feed?token=T0k3n-abc123", ("T0k3n-abc123",)),
    ("?access_token=", "https://graph.example.com/me?access_token=EAAbc123def456", ("EAAbc123def456",)),
    ("?secret=", "https://hooks.example.com/in?secret=Wh-s3cret-9", ("Wh-s3cret-9",)),
    (
        "Azure SAS sig=",
        "https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sp=r&sig=AbC%2Bdef%2Fghi123%3D",
        ("AbC%2Bdef%2Fghi123%3D",),
    ),
    (
        "JDBC ;password=",
        "jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=Jdbc-Pa55;",
        ("Jdbc-Pa55",),
    ),
    ("libpq key=value", "psql 'host=db user=app password=Libpq-pw dbname=shop'", ("Libpq-pw",)),
    # -- a value runs as far as its syntax says (to ``;`` in a connection string, to a space on a line)
    (
        "ADO password with & in a quoted env value",
        "export LEGACY_DSN='Server=127.0.0.1;Database=x;User Id=sa;Password=Tr0ub4dor&3;'",
        ("Tr0ub4dor&3",),
    ),
    ("ODBC Pwd= with spaces", "Driver={ODBC Driver 18};Server=h;Uid=sa;Pwd=pa ss w0rd;", ("pa ss w0rd",)),
    ("first key of a connection string", "Password=Tr0ub&3 x;Server=db;Database=shop", ("Tr0ub&3 x",)),
    ("env line value with &", "export DB_PASSWORD=Tr0ub4dor&3#x  # rotated", ("Tr0ub4dor&3#x",)),
    ("YAML value with &", "password: Tr0ub4dor&3", ("Tr0ub4dor&3",)),
    ("libpq value with &", "psql 'host=db user=app password=Lib&pq=pw dbname=shop'", ("Lib&pq=pw",)),
    ("env prefix value with &", "env DB_USER=app DB_PASSWORD=a&b9@c:d/e psql", ("a&b9@c:d/e",)),
    # -- cloud credentials
    ("AWS access key id", "aws_access_key_id = AKIA2E0A8F3B244C9986", ("AKIA2E0A8F3B244C9986",)),
    (
        "AWS secret access key",
        "aws_secret_access_key = Wj4lrXUtnFEMIK7MDENGbPxRfiCY9aK3yQz1Tm8v",
        ("Wj4lrXUtnFEMIK7MDENGbPxRfiCY9aK3yQz1Tm8v",),
    ),
    (
        "AWS secret in a table",
        "| AWS_SECRET_ACCESS_KEY | Wj4lrXUtnFEMIK7MDENGbPxRfiCY9aK3yQz1Tm8w |",
        ("Wj4lrXUtnFEMIK7MDENGbPxRfiCY9aK3yQz1Tm8w",),
    ),
    (
        "GCP service-account JSON",
        '{"type": "service_account", "private_key": "' + _GCP_KEY + '", "client_email": "a@b.iam"}',
        (_GCP_KEY,),
    ),
    (
        "GCP API key",
        "https://maps.googleapis.com/maps/api/geocode/json?address=x&key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",),
    ),
    (
        "Azure storage connection string",
        "DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;"
        "EndpointSuffix=core.windows.net",
        ("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",),
    ),
    (
        "Azure Service Bus",
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=c2VjcmV0LWtleTEyMw=",
        ("c2VjcmV0LWtleTEyMw=",),
    ),
    # -- token shapes
    (
        "GitHub ghp_ in a clone URL",
        "git clone https://x-access-token:ghp_R4nd0mT0k3nV4lu3F0rT3st1ng0123456789@github.com/o/r",
        ("ghp_R4nd0mT0k3nV4lu3F0rT3st1ng0123456789",),
    ),
    (
        "GitHub gho_",
        "GITHUB_TOKEN=gho_16C7e42F292c6912E7710c838347Ae178B4a",
        ("gho_16C7e42F292c6912E7710c838347Ae178B4a",),
    ),
    (
        "GitHub ghs_",
        "installation token ghs_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78 expires",
        ("ghs_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",),
    ),
    (
        "GitHub github_pat_",
        "use github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz to clone",
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",),
    ),
    ("GitLab glpat-", "the CI uses glpat-Zx8Yw7Vu6Ts5Rq4Po3Nm for pushes", ("glpat-Zx8Yw7Vu6Ts5Rq4Po3Nm",)),
    (
        "Slack xoxb-",
        "bot token xoxb-2837465019-9876543210-AbCdEfGhIjKlMnOp",
        ("xoxb-2837465019-9876543210-AbCdEfGhIjKlMnOp",),
    ),
    (
        "Slack webhook path",
        "POST https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2 on failure",
        ("T0ABCDEF1/B0ABCDEF2/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2",),
    ),
    (
        "Stripe sk_live_",
        "the old key sk_live_51HxAbCdEfGhIjKlMnOpQr4t is revoked",
        ("sk_live_51HxAbCdEfGhIjKlMnOpQr4t",),
    ),
    ("Stripe rk_live_", "restricted rk_live_51HxAbCdEfGhIjKl for reports", ("rk_live_51HxAbCdEfGhIjKl",)),
    ("Stripe sk_test_", "tests use sk_test_51HxQwErTyUiOp123", ("sk_test_51HxQwErTyUiOp123",)),
    ("Stripe webhook secret", "whsec_Ab12Cd34Ef56Gh78Ij90Kl12", ("whsec_Ab12Cd34Ef56Gh78Ij90Kl12",)),
    (
        "JWT",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlMTIz in the log",
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlMTIz",),
    ),
    (
        "npm token in .npmrc",
        "//registry.npmjs.org/:_authToken=npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",
        ("npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",),
    ),
    ("OpenAI key", "OPENAI key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12", ("sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12",)),
    (
        "Vault token",
        "vault login hvs.CAESIAbCdEfGhIjKlMnOpQrStUvWxYz0123",
        ("hvs.CAESIAbCdEfGhIjKlMnOpQrStUvWxYz0123",),
    ),
    # -- private keys, whole blocks
    (
        "RSA private key",
        "-----BEGIN RSA PRIVATE KEY-----\n" + _PEM_RSA + "\n-----END RSA PRIVATE KEY-----",
        (_PEM_RSA,),
    ),
    (
        "OpenSSH private key",
        "```\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + _PEM_OPENSSH
        + "\n-----END OPENSSH PRIVATE KEY-----\n```",
        (_PEM_OPENSSH,),
    ),
    (
        "EC private key",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n"
        "-----END EC PRIVATE KEY-----",
        ("MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49",),
    ),
    (
        "encrypted PEM with headers",
        "-----BEGIN RSA PRIVATE KEY-----\n" + _PEM_ENCRYPTED + "\n-----END RSA PRIVATE KEY-----",
        (_PEM_ENCRYPTED,),
    ),
    (
        "PGP private key block",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF1x2y3z4w5v6u7t8s9r0q\n=AbCd\n"
        "-----END PGP PRIVATE KEY BLOCK-----",
        ("lQOYBF1x2y3z4w5v6u7t8s9r0q\n=AbCd",),
    ),
    (
        "PKCS8 key, truncated",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n...",
        ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7",),
    ),
    # -- JSON request / response examples and code
    ("JSON password", '{"username": "bob", "password": "Js0n-Pa55"}', ("Js0n-Pa55",)),
    (
        "JSON client_secret",
        '{"grant_type": "client_credentials", "client_id": "checkout", "client_secret": "Cs-9f8e7d6c"}',
        ("Cs-9f8e7d6c",),
    ),
    (
        "JSON tokens",
        '{"access_token": "At-1a2b3c4d5e", "token_type": "Bearer", "refresh_token": "Rt-6f7a8b9c0d"}',
        ("At-1a2b3c4d5e", "Rt-6f7a8b9c0d"),
    ),
    ("JSON in JSON", '"text": "{\\"password\\": \\"Esc-Pa55\\"}"', ("Esc-Pa55",)),
    ("XML-escaped JSON", 'message="&quot;api_key&quot;: &quot;Xml-K3y-1&quot;"', ("Xml-K3y-1",)),
    ("JS camelCase apiKey", "const client = new Client({ apiKey: 'Js-Api-K3y-9' });", ("Js-Api-K3y-9",)),
    ("Python keyword literal", 'client = Client(password="s3cr3t-pw")', ("s3cr3t-pw",)),
    ("JS assignment", 'const token = "abc123def456";', ("abc123def456",)),
    # -- Environment Variables as a Markdown table (found by a new user, round 13)
    (
        "table Variable | Value | Purpose",
        "| Variable | Value | Purpose |\n|---|---|---|\n"
        "| USERS_API_TOKEN | tok9f8e7d6c5b4a3210 | bearer token |\n"
        "| `DB_PASSWORD` | `hunter2hunter2` | db |",
        ("tok9f8e7d6c5b4a3210", "hunter2hunter2"),
    ),
    (
        "table value column after the purpose",
        "| Name | Purpose | Default |\n|:--|:--|:--|\n| **REDIS_PASS** | the cache's password | Rp-77x1q |",
        ("Rp-77x1q",),
    ),
    ("table without a header", "| API_SECRET | Zq81-xx0Lm |", ("Zq81-xx0Lm",)),
    (  # the secret's value in another column of its row (found by a new user, round 18)
        "table value in the purpose column",
        "| WEBHOOK_SIGNING_SECRET | HMAC key, rotated 2026-01-01 | current: 7f3k9QpL2xWv8RtY4bNm |",
        ("7f3k9QpL2xWv8RtY4bNm",),
    ),
    # -- markup, mail and words (found by an adversary, round 19)
    ("XML element", "<config><password>Sq1LEAK70x</password></config>", ("Sq1LEAK70x",)),
    (".NET appSettings", '<add key="ApiKey" value="Sq1LEAK71x"/>', ("Sq1LEAK71x",)),
    ("SMTP AUTH PLAIN", "AUTH PLAIN AGFkbWluAFNxMUxFQUs3M3g=", ("AGFkbWluAFNxMUxFQUs3M3g=",)),
    ("label then value, sentence end", "Password: Sq1LEAK72x.", ("Sq1LEAK72x",)),
    ("table row named in words", "| Name | Value |\n|---|---|\n| Stripe key | Sq1LEAK74x |", ("Sq1LEAK74x",)),
    (  # ODBC: PWD, and a braced value holding ; and a space (found by a new user, round 18)
        "ODBC braced PWD",
        "Driver={ODBC Driver 18};Server=db;UID=rpt;PWD={p;w d9Z};Database=reports",
        ("p;w d9Z",),
    ),
    # -- a secret said in a sentence (found by a new user, round 16: VAL010 and the dashboard printed it)
    ("prose password", "- The DB password is Tr0ub4dor3xyz, ask the DBA", ("Tr0ub4dor3xyz",)),
    ("prose token", "The token was ghX81_aa12 (rotated since).", ("ghX81_aa12",)),
    # -- statements that take a password (found by a new user, round 16)
    ("SQL CREATE USER", "CREATE USER etl WITH PASSWORD 'SqlCr3ateUserPw';", ("SqlCr3ateUserPw",)),
    ("SQL ALTER ROLE", "ALTER ROLE etl WITH ENCRYPTED PASSWORD 'Alt3rR0lePw';", ("Alt3rR0lePw",)),
    ("MySQL IDENTIFIED BY", "CREATE USER 'etl'@'%' IDENTIFIED BY 'MyS9lPass';", ("MyS9lPass",)),
    ("redis-cli AUTH", "redis-cli -h 127.0.0.1 -p 6379 AUTH R3disAuthCmdPw", ("R3disAuthCmdPw",)),
    (
        "JDBC positional password",
        'Connection c = DriverManager.getConnection(url, "etl", "JdbcP0sitionalPw");',
        ("JdbcP0sitionalPw",),
    ),
    (  # both in code spans, a purpose after (found by a new user, round 14)
        "env item name and value in code spans",
        "- `REDIS_AUTH`: `r3disAuthS3cret` — requirepass value",
        ("r3disAuthS3cret",),
    ),
]

# Texts that look like secrets but are not: kept byte for byte.
INNOCENT: list[str] = [
    "| Name | Value |\n|---|---|\n| Cache key | orders:v2 |\n| Partition key | region |",
    "<name>orders</name> <timeout>30</timeout>",
    "PWD=/home/app ./run.sh; echo $PWD",
    "The password is stored in Vault; the key is 2 hours long; the secret is a 32-byte string.",
    "The token is ${API_TOKEN} and the password is <from vault>.",
    "If redis AUTH failed for the user, check the ACL.",
    "The password 'field' of the form is not stored; see PASSWORD_RESET.md",
    "| Variable | Purpose |\n|---|---|\n| DB_PASSWORD | the database password, from the vault |",
    "| Variable | Value |\n|---|---|\n| API_TOKEN | ${VAULT_API_TOKEN} |\n| DB_PASS | <from vault> |",
    "| Name | Value |\n|---|---|\n| PGPASSWORD | PG_SECRET_FROM_ENV |",
    "- `DB_PASSWORD`: the database password, from the vault",
    "mosquitto_sub -h 127.0.0.1 -p 1883 -t devices/#",
    "rabbitmqadmin -H 127.0.0.1 -P 15672 list queues",
    "- **API_TOKEN** - issued by the platform team",
    "bind it with --bind-secret ORDERS_DATABASE_PASSWORD=db.internal:5432 or give --target",
    "ssh://git@github.com:22/shop/checkout.git",
    "request 123e4567-e89b-12d3-a456-426614174000 failed",
    "fixed in 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "https://github.com/shop/checkout/commit/3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "password_min_length=12",
    "export AUTH_MODE=oauth",
    "export TOKEN_TTL=3600",
    "export DB_PASSWORD_FILE=/run/secrets/db",
    "set PAYMENTS_API_TOKEN in the secret store",
    "export DB_PASSWORD=${DB_PASSWORD}",
    'curl -H "Authorization: Bearer $TOKEN" https://api',
    "password: <secret>",
    "export ORDERS_DB_PASSWORD=[password]",
    "postgresql://app:***@db:5432/orders",
    "http://user@host:8080/x",
    "postgresql://checkout@db/orders",
    "Authorization: Bearer ${TOKEN}",
    "started 2026-11-20T10:30:00Z, ran for 10:30:00",
    "payments.internal:8443 and 127.0.0.1:5432",
    "curl -u $USER:$PASS https://x",
    "ids like QmFzZTY0IGxvb2tz and bWFzaw== are base64 words",
    "image: registry.io/checkout@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    'token=os.environ["PAYMENTS_API_TOKEN"]',
    "client = Client(password=password)",
    "conn = connect(host, password=pw, timeout=5)",
    "export OAUTH_PROVIDER=google",
    "AUTH_TYPE=basic",
    "TOKEN_BUCKET_SIZE=100",
    "PWD=/home/app",
    "ROUTING_KEY=orders.created",
    "Idempotency-Key: charge-{order_id}",
    '{"token_type": "Bearer", "expires_in": 3600}',
    "journalctl -u shop-checkout --since '15 min ago'",
    "docker run -u 1000:1000 app",
    "https://registry.npmjs.org:443/@babel/core",
    "the old key AKIAIOSFODNN7EXAMPLE is AWS's documentation example",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "pk_live_51HxAbCdEfGhIjKlMnOpQr4t is the publishable key",
    "Authorization: required for every call",
    "The token expires after 1 h; see TOKEN_TTL.",
    "docker login --password-stdin registry.io",
    "git@github.com:shop/checkout.git",
    "mailto:ops@example.com",
    "http://[::1]:8080/healthz",
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
    "def connect(token: str) -> None:",
    "password reset emails go out within 5 minutes",
    "redis://cache:6379/0",
    "ws://127.0.0.1:8080/socket",
    "  apiKey: process.env.API_KEY,",
    "api_key = settings.API_KEY",
    "--token-file /run/secrets/t",
    "export [VAR_NAME]=[value]  # [Purpose]",
    "Bearer token, Idempotency-Key charge-{order_id}, 5 s timeout",
    "https://db:5432/orders?x=a@b",
    "password: ${DB_PASSWORD}",
    "DB_PASSWORD: the password of the orders database (from Vault)",
    "if password == expected:",
    "  --token TEXT   Require this token on every request [env: WIREMAP_TOKEN].",
    "mysql -u root -p shop",
    "psql --no-password -h db orders",
    "ansible-playbook --ask-pass site.yml",
    "scikit-learn (sk-learn) drives the task-based model",
    "SECRET_NAME=payments/api",
    "openssl req -new -key server.key -out server.csr",
    "`sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`",
    "latency p99: 900 ms, token bucket: 100/s",
    "export PAYMENTS_TIMEOUT_SECONDS=5  # per-request timeout",
    "ssh -i ~/.ssh/id_ed25519 --private-key ~/.ssh/id_ed25519 deploy@host",
    "https://example.com/users/@alice",
    "secret: none",
    "token: null",
]


def expected_masked(text: str, secrets: tuple[str, ...], mask: str = "***") -> str:
    """``text`` with each secret's first occurrence (in order, left to right) replaced by ``mask``."""
    out, pos = [], 0
    for secret in secrets:
        at = text.index(secret, pos)
        out += (text[pos:at], mask)
        pos = at + len(secret)
    out.append(text[pos:])
    return "".join(out)
