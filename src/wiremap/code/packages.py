"""Which network protocol a Python package speaks: a shipped table of the most-used client packages.

Discovery recognises integrations by convention (a third-party ``connect(...)``, a ``*Client(...)``,
a factory: see :mod:`wiremap.code.conventions`); this table only names the protocol of what was found
and says which packages are clients at all. Each row is ``import-prefix  pypi-distribution  protocol``;
the longest import prefix of a callee wins (``google.cloud.bigquery`` before ``google.cloud``). A package
not listed here is still reported, with protocol ``unknown``.

Adding a package is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

__all__ = ["PACKAGES", "Package", "package_of"]


@dataclass(frozen=True, slots=True)
class Package:
    module: str  # the import prefix (``snowflake.connector``)
    distribution: str  # its PyPI name
    protocol: str


_TABLE = """
# -- PostgreSQL and its wire-compatible databases
psycopg                     psycopg                         postgresql
psycopg2                    psycopg2                        postgresql
psycopg_pool                psycopg-pool                    postgresql
asyncpg                     asyncpg                         postgresql
pg8000                      pg8000                          postgresql
pgdb                        PyGreSQL                        postgresql
pg                          PyGreSQL                        postgresql
aiopg                       aiopg                           postgresql
postgresql                  py-postgresql                   postgresql
redshift_connector          redshift-connector              redshift
cockroachdb                 sqlalchemy-cockroachdb          postgresql
yugabyte                    psycopg2-yugabytedb             postgresql
# -- MySQL and MariaDB
pymysql                     PyMySQL                         mysql
MySQLdb                     mysqlclient                     mysql
mysql.connector             mysql-connector-python          mysql
mysqlx                      mysql-connector-python          mysql
aiomysql                    aiomysql                        mysql
asyncmy                     asyncmy                         mysql
mariadb                     mariadb                         mysql
cymysql                     cymysql                         mysql
oursql                      oursql                          mysql
# -- SQLite and embedded engines
aiosqlite                   aiosqlite                       sqlite
apsw                        apsw                            sqlite
pysqlite3                   pysqlite3                       sqlite
sqlcipher3                  sqlcipher3                      sqlite
duckdb                      duckdb                          duckdb
# -- other SQL databases and warehouses
pymssql                     pymssql                         mssql
pytds                       python-tds                      mssql
pyodbc                      pyodbc                          odbc
aioodbc                     aioodbc                         odbc
turbodbc                    turbodbc                        odbc
cx_Oracle                   cx-Oracle                       oracle
oracledb                    oracledb                        oracle
snowflake.connector         snowflake-connector-python      snowflake
snowflake.snowpark          snowflake-snowpark-python       snowflake
clickhouse_driver           clickhouse-driver               clickhouse
clickhouse_connect          clickhouse-connect              clickhouse
aiochclient                 aiochclient                     clickhouse
asynch                      asynch                          clickhouse
databricks.sql              databricks-sql-connector        databricks
databricks.sdk              databricks-sdk                  databricks
databricks_cli              databricks-cli                  databricks
teradatasql                 teradatasql                     teradata
teradata                    teradata                        teradata
vertica_python              vertica-python                  vertica
ibm_db                      ibm-db                          db2
ibm_db_dbi                  ibm-db                          db2
pyexasol                    pyexasol                        exasol
fdb                         fdb                             firebird
firebird.driver             firebird-driver                 firebird
hdbcli                      hdbcli                          saphana
pyhdb                       pyhdb                           saphana
prestodb                    presto-python-client            presto
pyhive.presto               PyHive                          presto
pyhive.trino                PyHive                          trino
phoenixdb                   phoenixdb                       phoenix
nzpy                        nzpy                            netezza
tdclient                    td-client                       treasuredata
memsql                      memsql                          mysql
singlestoredb               singlestoredb                   mysql
databend_sqlalchemy         databend-sqlalchemy             databend
databend_driver             databend-driver                 databend
e6data_python_connector     e6data-python-connector         e6data
pygridgain                  pygridgain                      ignite
trino                       trino                           trino
pyhive                      PyHive                          hive
impala                      impyla                          impala
pydruid                     pydruid                         druid
pinotdb                     pinotdb                         pinot
kylinpy                     kylinpy                         kylin
sqlalchemy_bigquery         sqlalchemy-bigquery             bigquery
pybigquery                  pybigquery                      bigquery
pandas_gbq                  pandas-gbq                      bigquery
pyathena                    PyAthena                        aws
awswrangler                 awswrangler                     aws
sqlalchemy                  SQLAlchemy                      sql
databases                   databases                       sql
records                     records                         sql
dataset                     dataset                         sql
peewee                      peewee                          sql
playhouse                   peewee                          sql
pony                        pony                            sql
tortoise                    tortoise-orm                    sql
ydb                         ydb                             ydb
questdb                     questdb                         questdb
crate                       crate                           cratedb
rockset                     rockset                         rockset
dremio                      dremio-client                   dremio
jaydebeapi                  JayDeBeApi                      jdbc
jpype                       JPype1                          jdbc
pyarrow.flight              pyarrow                         grpc
adbc_driver_manager         adbc-driver-manager             sql
adbc_driver_postgresql      adbc-driver-postgresql          postgresql
adbc_driver_snowflake       adbc-driver-snowflake           snowflake
# -- document, key-value, graph, time-series and search stores
pymongo                     pymongo                         mongodb
motor                       motor                           mongodb
mongoengine                 mongoengine                     mongodb
beanie                      beanie                          mongodb
odmantic                    odmantic                        mongodb
umongo                      umongo                          mongodb
cassandra                   cassandra-driver                cassandra
acsylla                     acsylla                         cassandra
scylla                      scylla-driver                   cassandra
couchbase                   couchbase                       couchbase
acouchbase                  couchbase                       couchbase
couchdb                     CouchDB                         couchdb
pycouchdb                   pycouchdb                       couchdb
cloudant                    cloudant                        couchdb
ibmcloudant                 ibmcloudant                     couchdb
rethinkdb                   rethinkdb                       rethinkdb
arango                      python-arango                   arangodb
aerospike                   aerospike                       aerospike
riak                        riak                            riak
happybase                   happybase                       hbase
neo4j                       neo4j                           neo4j
py2neo                      py2neo                          neo4j
neomodel                    neomodel                        neo4j
gremlin_python              gremlinpython                   gremlin
pydgraph                    pydgraph                        grpc
influxdb                    influxdb                        influxdb
influxdb_client             influxdb-client                 influxdb
influxdb_client_3           influxdb3-python                influxdb
pyTigerGraph                pyTigerGraph                    http
tdengine                    taospy                          tdengine
taos                        taospy                          tdengine
elasticsearch               elasticsearch                   elasticsearch
elasticsearch7              elasticsearch7                  elasticsearch
elasticsearch8              elasticsearch8                  elasticsearch
elasticsearch_dsl           elasticsearch-dsl               elasticsearch
elasticsearch_async         elasticsearch-async             elasticsearch
opensearchpy                opensearch-py                   opensearch
opensearch_dsl              opensearch-dsl                  opensearch
pysolr                      pysolr                          solr
meilisearch                 meilisearch                     meilisearch
meilisearch_python_sdk      meilisearch-python-sdk          meilisearch
typesense                   typesense                       typesense
algoliasearch               algoliasearch                   algolia
whoosh                      Whoosh                          local
qdrant_client               qdrant-client                   qdrant
pinecone                    pinecone                        pinecone
weaviate                    weaviate-client                 weaviate
pymilvus                    pymilvus                        milvus
chromadb                    chromadb                        chroma
lancedb                     lancedb                         lancedb
vespa                       pyvespa                         vespa
marqo                       marqo                           marqo
pgvector                    pgvector                        postgresql
tinydb                      tinydb                          local
# -- caches
redis                       redis                           redis
aioredis                    aioredis                        redis
rediscluster                redis-py-cluster                redis
coredis                     coredis                         redis
valkey                      valkey                          redis
walrus                      walrus                          redis
redis_om                    redis-om                        redis
rq                          rq                              redis
huey                        huey                            redis
pymemcache                  pymemcache                      memcached
memcache                    python-memcached                memcached
pylibmc                     pylibmc                         memcached
bmemcached                  python-binary-memcached         memcached
aiomcache                   aiomcache                       memcached
emcache                     emcache                         memcached
hazelcast                   hazelcast-python-client         hazelcast
pyignite                    pyignite                        ignite
etcd3                       etcd3                           etcd
etcd                        python-etcd                     etcd
aetcd                       aetcd                           etcd
kazoo                       kazoo                           zookeeper
consul                      python-consul                   consul
consul_kv                   consul-kv                       consul
# -- message brokers and streams
pika                        pika                            amqp
aio_pika                    aio-pika                        amqp
aiormq                      aiormq                          amqp
kombu                       kombu                           amqp
amqp                        amqp                            amqp
amqpstorm                   AMQPStorm                       amqp
rabbitpy                    rabbitpy                        amqp
librabbitmq                 librabbitmq                     amqp
proton                      python-qpid-proton              amqp
celery                      celery                          amqp
dramatiq                    dramatiq                        amqp
stomp                       stomp.py                        stomp
kafka                       kafka-python                    kafka
aiokafka                    aiokafka                        kafka
confluent_kafka             confluent-kafka                 kafka
pykafka                     pykafka                         kafka
faust                       faust-streaming                 kafka
nats                        nats-py                         nats
stan                        asyncio-nats-streaming          nats
paho.mqtt                   paho-mqtt                       mqtt
aiomqtt                     aiomqtt                         mqtt
asyncio_mqtt                asyncio-mqtt                    mqtt
gmqtt                       gmqtt                           mqtt
amqtt                       amqtt                           mqtt
hbmqtt                      hbmqtt                          mqtt
pulsar                      pulsar-client                   pulsar
zmq                         pyzmq                           zeromq
nsq                         pynsq                           nsq
gnsq                        gnsq                            nsq
pynats                      pynats                          nats
# -- HTTP, RPC and realtime clients
requests                    requests                        http
requests_oauthlib           requests-oauthlib               http
requests_toolbelt           requests-toolbelt               http
requests_futures            requests-futures                http
requests_cache              requests-cache                  http
grequests                   grequests                       http
niquests                    niquests                        http
httpx                       httpx                           http
httpcore                    httpcore                        http
aiohttp                     aiohttp                         http
urllib3                     urllib3                         http
httplib2                    httplib2                        http
pycurl                      pycurl                          http
treq                        treq                            http
tornado.httpclient          tornado                         http
tornado.websocket           tornado                         websocket
hyper                       hyper                           http
curl_cffi                   curl-cffi                       http
authlib                     Authlib                         http
zeep                        zeep                            http
suds                        suds-community                  http
gql                         gql                             http
sgqlc                       sgqlc                           http
python_graphql_client       python-graphql-client           http
jsonrpcclient               jsonrpcclient                   http
grpc                        grpcio                          grpc
grpclib                     grpclib                         grpc
thrift                      thrift                          thrift
thriftpy2                   thriftpy2                       thrift
websocket                   websocket-client                websocket
websockets                  websockets                      websocket
socketio                    python-socketio                 websocket
signalrcore                 signalrcore                     websocket
pusher                      pusher                          http
pusherclient                pusherclient                    websocket
ably                        ably                            http
pubnub                      pubnub                          http
centrifuge                  centrifuge-python               websocket
# -- browsers and scraping
playwright                  playwright                      http
pyppeteer                   pyppeteer                       http
selenium                    selenium                        http
undetected_chromedriver     undetected-chromedriver         http
scrapy                      Scrapy                          http
mechanize                   mechanize                       http
# -- AWS
boto3                       boto3                           aws
botocore                    botocore                        aws
aioboto3                    aioboto3                        aws
aiobotocore                 aiobotocore                     aws
boto                        boto                            aws
s3fs                        s3fs                            aws
pynamodb                    pynamodb                        aws
aws_xray_sdk                aws-xray-sdk                    aws
minio                       minio                           aws
# -- Google Cloud and Google APIs
google.cloud.bigquery       google-cloud-bigquery           bigquery
google.cloud.storage        google-cloud-storage            gcp
google.cloud.pubsub         google-cloud-pubsub             gcp
google.cloud.pubsub_v1      google-cloud-pubsub             gcp
google.cloud.firestore      google-cloud-firestore          gcp
google.cloud.datastore      google-cloud-datastore          gcp
google.cloud.spanner        google-cloud-spanner            gcp
google.cloud.bigtable       google-cloud-bigtable           gcp
google.cloud.secretmanager  google-cloud-secret-manager     gcp
google.cloud.tasks          google-cloud-tasks              gcp
google.cloud.logging        google-cloud-logging            gcp
google.cloud.kms            google-cloud-kms                gcp
google.cloud.translate      google-cloud-translate          gcp
google.cloud.vision         google-cloud-vision             gcp
google.cloud.speech         google-cloud-speech             gcp
google.cloud.language       google-cloud-language           gcp
google.cloud.monitoring     google-cloud-monitoring         gcp
google.cloud.dns            google-cloud-dns                gcp
google.cloud.aiplatform     google-cloud-aiplatform         gcp
google.cloud.sql            cloud-sql-python-connector      gcp
google.cloud.redis          google-cloud-redis              gcp
google.cloud.documentai     google-cloud-documentai         gcp
google.cloud                google-cloud-core               gcp
googleapiclient             google-api-python-client        gcp
apiclient                   google-api-python-client        gcp
google.auth                 google-auth                     http
google.oauth2               google-auth                     http
google_auth_oauthlib        google-auth-oauthlib            http
oauth2client                oauth2client                    http
gspread                     gspread                         gcp
pygsheets                   pygsheets                       gcp
firebase_admin              firebase-admin                  gcp
pyrebase                    Pyrebase4                       http
google.generativeai         google-generativeai             http
google.genai                google-genai                    http
google.ads                  google-ads                      grpc
googlemaps                  googlemaps                      http
vertexai                    google-cloud-aiplatform         gcp
# -- Azure and Microsoft
azure.storage.blob          azure-storage-blob              azure
azure.storage.queue         azure-storage-queue             azure
azure.storage.fileshare     azure-storage-file-share        azure
azure.storage.filedatalake  azure-storage-file-datalake     azure
azure.cosmos                azure-cosmos                    azure
azure.servicebus            azure-servicebus                azure
azure.eventhub              azure-eventhub                  azure
azure.keyvault              azure-keyvault                  azure
azure.data.tables           azure-data-tables               azure
azure.kusto                 azure-kusto-data                kusto
azure.monitor               azure-monitor-query             azure
azure.ai                    azure-ai                        azure
azure.mgmt                  azure-mgmt                      azure
azure.cognitiveservices     azure-cognitiveservices         azure
azure.communication         azure-communication             azure
azure                       azure                           azure
msal                        msal                            http
adal                        adal                            http
O365                        O365                            http
msgraph                     msgraph-sdk                     http
exchangelib                 exchangelib                     http
# -- other clouds, platforms and infrastructure
oci                         oci                             http
oss2                        oss2                            http
alibabacloud_tea_openapi    alibabacloud-tea-openapi        http
tencentcloud                tencentcloud-sdk-python         http
ibm_boto3                   ibm-cos-sdk                     aws
ibm_cloud_sdk_core          ibm-cloud-sdk-core              http
digitalocean                python-digitalocean             http
linode_api4                 linode-api4                     http
hcloud                      hcloud                          http
ovh                         ovh                             http
openstack                   openstacksdk                    http
keystoneauth1               keystoneauth1                   http
keystoneclient              python-keystoneclient           http
novaclient                  python-novaclient               http
swiftclient                 python-swiftclient              http
cloudflare                  cloudflare                      http
CloudFlare                  cloudflare                      http
kubernetes                  kubernetes                      http
kubernetes_asyncio          kubernetes-asyncio              http
docker                      docker                          http
hvac                        hvac                            http
nomad                       python-nomad                    http
proxmoxer                   proxmoxer                       http
pyVmomi                     pyvmomi                         http
pyvmomi                     pyvmomi                         http
fabric                      fabric                          ssh
paramiko                    paramiko                        ssh
asyncssh                    asyncssh                        ssh
sshtunnel                   sshtunnel                       ssh
netmiko                     netmiko                         ssh
pysftp                      pysftp                          ssh
scp                         scp                             ssh
spur                        spur                            ssh
pexpect.pxssh               pexpect                         ssh
smbprotocol                 smbprotocol                     smb
smbclient                   smbprotocol                     smb
smb                         pysmb                           smb
aioftp                      aioftp                          ftp
pysnmp                      pysnmp                          snmp
zeroconf                    zeroconf                        mdns
ldap3                       ldap3                           ldap
ldap                        python-ldap                     ldap
bonsai                      bonsai                          ldap
dns                         dnspython                       dns
aiodns                      aiodns                          dns
pycares                     pycares                         dns
ntplib                      ntplib                          ntp
# -- mail
aiosmtplib                  aiosmtplib                      smtp
flask_mail                  Flask-Mail                      smtp
flask_mailman               Flask-Mailman                   smtp
yagmail                     yagmail                         smtp
emails                      emails                          smtp
imapclient                  IMAPClient                      imap
imap_tools                  imap-tools                      imap
aioimaplib                  aioimaplib                      imap
sendgrid                    sendgrid                        http
mailchimp3                  mailchimp3                      http
mailchimp_marketing         mailchimp-marketing             http
mailchimp_transactional     mailchimp-transactional         http
postmarker                  postmarker                      http
mailjet_rest                mailjet-rest                    http
brevo_python                brevo-python                    http
sib_api_v3_sdk              sib-api-v3-sdk                  http
resend                      resend                          http
# -- metrics, tracing and error reporting
statsd                      statsd                          statsd
datadog                     datadog                         statsd
datadog_api_client          datadog-api-client              http
prometheus_client           prometheus-client               http
sentry_sdk                  sentry-sdk                      http
raven                       raven                           http
rollbar                     rollbar                         http
bugsnag                     bugsnag                         http
honeybadger                 honeybadger                     http
airbrake                    airbrake                        http
newrelic                    newrelic                        http
libhoney                    libhoney                        http
opentelemetry.exporter      opentelemetry-exporter-otlp     grpc
jaeger_client               jaeger-client                   udp
elasticapm                  elastic-apm                     http
logdna                      logdna                          http
loggly                      loggly-python-handler           http
graypy                      graypy                          udp
fluent                      fluent-logger                   tcp
logstash                    python-logstash                 tcp
# -- SaaS APIs
stripe                      stripe                          http
braintree                   braintree                       http
paypalrestsdk               paypalrestsdk                   http
paypalcheckoutsdk           paypal-checkout-serversdk       http
square                      squareup                        http
plaid                       plaid-python                    http
adyen                       Adyen                           http
mollie                      mollie-api-python               http
razorpay                    razorpay                        http
twilio                      twilio                          http
vonage                      vonage                          http
nexmo                       nexmo                           http
plivo                       plivo                           http
messagebird                 messagebird                     http
slack_sdk                   slack-sdk                       http
slack                       slackclient                     http
slack_bolt                  slack-bolt                      http
telegram                    python-telegram-bot             http
telebot                     pyTelegramBotAPI                http
aiogram                     aiogram                         http
discord                     discord.py                      http
discord_webhook             discord-webhook                 http
pymsteams                   pymsteams                       http
tweepy                      tweepy                          http
twitter                     python-twitter                  http
facebook                    facebook-sdk                    http
praw                        praw                            http
github                      PyGithub                        http
gitlab                      python-gitlab                   http
bitbucket                   bitbucket-api                   http
atlassian                   atlassian-python-api            http
jira                        jira                            http
pdpyras                     pdpyras                         http
pagerduty                   pagerduty                       http
opsgenie_sdk                opsgenie-sdk                    http
zenpy                       zenpy                           http
freshdesk                   python-freshdesk                http
intercom                    python-intercom                 http
hubspot                     hubspot-api-client              http
simple_salesforce           simple-salesforce               http
salesforce_bulk             salesforce-bulk                 http
shopify                     ShopifyAPI                      http
woocommerce                 WooCommerce                     http
notion_client               notion-client                   http
pyairtable                  pyairtable                      http
airtable                    airtable-python-wrapper         http
asana                       asana                           http
trello                      py-trello                       http
dropbox                     dropbox                         http
boxsdk                      boxsdk                          http
smartsheet                  smartsheet-python-sdk           http
contentful                  contentful                      http
cloudinary                  cloudinary                      http
spotipy                     spotipy                         http
analytics                   analytics-python                http
segment                     segment-analytics-python        http
mixpanel                    mixpanel                        http
amplitude                   amplitude-analytics             http
posthog                     posthog                         http
auth0                       auth0-python                    http
okta                        okta                            http
keycloak                    python-keycloak                 http
onelogin                    onelogin                        http
pyfcm                       pyfcm                           http
apns2                       apns2                           http
onesignal_sdk               onesignal-sdk                   http
apprise                     apprise                         unknown
geopy                       geopy                           http
mapbox                      mapbox                          http
yfinance                    yfinance                        http
alpaca_trade_api            alpaca-trade-api                http
ccxt                        ccxt                            http
web3                        web3                            http
openai                      openai                          http
anthropic                   anthropic                       http
cohere                      cohere                          http
mistralai                   mistralai                       http
groq                        groq                            http
replicate                   replicate                       http
together                    together                        http
ollama                      ollama                          http
huggingface_hub             huggingface-hub                 http
langsmith                   langsmith                       http
llama_index.llms            llama-index                     http
llama_index.embeddings      llama-index                     http
langchain_openai            langchain-openai                http
langchain_anthropic         langchain-anthropic             http
langchain_community         langchain-community             http
litellm                     litellm                         http
tiktoken                    tiktoken                        local
llama_index                 llama-index                     http
tika_client                 tika-client                     http
tika                        tika                            http
gotenberg_client            gotenberg-client                http
atsd_client                 atsd-client                     http
saml2                       pysaml2                         http
onelogin.saml2              python3-saml                    http
pypd                        pypd                            http

"""


def _parse(table: str) -> dict[str, Package]:
    out: dict[str, Package] = {}
    for raw in table.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        module, dist, protocol = line.split()
        out[module] = Package(module, dist, protocol)
    return out


PACKAGES: dict[str, Package] = _parse(_TABLE)


@cache
def package_of(dotted: str) -> Package | None:
    """The row of the longest listed import prefix of ``dotted`` (``snowflake.connector.connect`` →
    ``snowflake.connector``), or None."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        row = PACKAGES.get(".".join(parts[:n]))
        if row is not None:
            return row
    return None
