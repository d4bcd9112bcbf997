"""Environment variables a doc may never set: those a shell, a loader, a runtime or a tool reads itself.

``wiremap faults`` (and the ``wiremap_stub`` fixture) set the doc's address variables for the runner's
own command. A doc names them, and docs are untrusted: a doc listing ``export PATH=http://127.0.0.1:8081/v1``
made ``http/`` (a folder of the pull request) the first entry of the command's PATH, and
``PYTHONPATH=…#:./evilpy`` loaded the pull request's ``sitecustomize.py`` — code of the doc's, run with the
runner's secrets (round 68). Such a variable is never set from a doc; the result says so.

The list is of what changes how a process starts, finds code, loads libraries, resolves names, trusts
certificates, reaches the network (proxies) or runs helpers: by exact name, or by a prefix a family of
tools reads (``LD_``, ``PYTHON``, ``NODE_``, ``GIT_`` …), any case.
"""

from __future__ import annotations

import re

__all__ = ["runtime_variable"]

_EXACT = frozenset(
    {
        # shells and the process itself
        "PATH", "HOME", "SHELL", "ENV", "BASH_ENV", "IFS", "CDPATH", "PS4", "PROMPT_COMMAND", "SHELLOPTS",
        "BASHOPTS", "GLOBIGNORE", "FPATH", "ZDOTDIR", "TMPDIR", "TMP", "TEMP", "USER", "LOGNAME",
        "EDITOR", "VISUAL", "PAGER", "BROWSER", "MANPAGER", "LESSOPEN", "LESSCLOSE", "TERMINFO",
        # the C library: name resolution, locales, character sets
        "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "GCONV_PATH", "GLIBC_TUNABLES", "TZ", "TZDIR",
        "LOCPATH", "NLSPATH", "LANG", "LANGUAGE",
        # certificates, TLS, credentials files
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "CURL_HOME", "WGETRC",
        "NETRC", "OPENSSL_CONF", "OPENSSL_ENGINES", "OPENSSL_MODULES", "KUBECONFIG",
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "GOOGLE_APPLICATION_CREDENTIALS",
        "AZURE_CONFIG_DIR", "BOTO_CONFIG",
        # proxies: every request of the command, to any host, would go through it
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY", "GRPC_PROXY",
        # helpers run for a password
        "SUDO_ASKPASS", "SSH_ASKPASS",
        # build tools and other runtimes
        "CLASSPATH", "MAVEN_OPTS", "GRADLE_OPTS", "GRADLE_USER_HOME", "SBT_OPTS", "ANT_OPTS",
        "MAKEFLAGS", "MFLAGS", "MAKEFILES", "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS",
        "LUA_PATH", "LUA_CPATH", "LUA_INIT", "TCLLIBPATH", "PHPRC", "PHP_INI_SCAN_DIR", "VIRTUAL_ENV",
        "GOFLAGS", "GOPATH", "GOROOT", "GOPROXY", "GOTOOLCHAIN", "GOENV", "GOEXPERIMENT", "GODEBUG",
        "GOBIN", "GOCACHE", "GOMODCACHE", "GOWORK", "GOPRIVATE", "GONOSUMDB", "GONOPROXY", "GOINSECURE",
        "GOSUMDB", "GOTMPDIR", "GOOS", "GOARCH", "GOGC", "GOMAXPROCS", "GOTRACEBACK",
        "R_PROFILE", "R_PROFILE_USER", "R_ENVIRON", "R_ENVIRON_USER", "R_LIBS", "R_LIBS_USER",
    }
)  # fmt: skip

_PREFIXES = (
    "LD_", "DYLD_", "MALLOC_", "LC_", "XDG_", "BASH_FUNC_",
    "PYTHON", "PYTEST", "PIP_", "UV_", "CONDA", "COVERAGE_", "TOX_", "HYPOTHESIS_", "VIRTUALENV_",
    "NODE_", "NPM_CONFIG_", "YARN_", "BUN_", "DENO_", "PERL", "RUBY", "GEM_", "BUNDLE_",
    "JAVA_", "_JAVA_", "JDK_", "JRE_", "CGO_", "RUSTC", "RUSTFLAGS", "RUSTUP_", "CARGO_",
    "DOTNET_", "COMPLUS_", "CORECLR_", "MONO_", "ERL_", "ELIXIR_", "MIX_",
    "GIT_", "SSH_", "GNUPG", "GPG_", "DOCKER_", "KUBE", "HELM_", "TF_", "ANSIBLE_",
    "WIREMAP_",  # wiremap's own: WIREMAP_TARGET_<ID> would send another integration's probes elsewhere
)  # fmt: skip

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def runtime_variable(name: str) -> str | None:
    """Why a doc may not set ``name`` for a command, or None when it may (an address variable of its own:
    ``PAYMENTS_API_URL``)."""
    if not _NAME.match(name):
        return "not a variable name"
    upper = name.upper()
    if upper in _EXACT or upper.startswith(_PREFIXES):
        return "read by the shell, the runtime or a tool itself: a doc may not set it"
    return None
