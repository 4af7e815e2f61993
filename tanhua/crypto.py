"""Field encryption at rest for what must stay secret even from a database dump:
reporters' identity first (clues), integrity files later.

A value is stored as ``v1:<cipher>:<key id>:<base64(nonce | ciphertext | tag)>``:

- ``aes-gcm`` (AES-256-GCM, the default) or ``sm4-gcm`` (SM4 in GCM mode, for 国密
  deployments), chosen by ``TANHUA_FIELD_CIPHER``; each value records its own, so a deployment
  can switch without re-encrypting what it has.
- The key comes from ``TANHUA_FIELD_KEY`` (32 random bytes, base64). Each cipher uses its own
  key derived from it with HKDF, so the same master key is never used by two algorithms.
  ``TANHUA_FIELD_OLD_KEYS`` (comma-separated) still decrypts values written under earlier
  keys after a rotation; ``key id`` says which key a value needs.
- The field's name is authenticated with the value (GCM's associated data), so a value
  copied into another column does not decrypt.
"""

import base64
import hashlib
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHERS = ("aes-gcm", "sm4-gcm")
PREFIX = "v1"
NONCE = 12
TAG = 16


class DecryptionError(Exception):
    """A stored value cannot be decrypted: wrong key, or the value was tampered with."""


def _decode_key(text, where):
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{where} 不是有效的 base64 编码") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{where} 应为 32 字节随机数的 base64 编码(当前 {len(key)} 字节)")
    return key


def _key_file():
    # Without a configured key an installation keeps a random one beside its database, like the
    # secret key; production sets TANHUA_FIELD_KEY so backups of var/ do not hold the key.
    path = settings.VAR_DIR / "field_key"
    if not path.exists():
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text()


@lru_cache(maxsize=8)
def _keys(configured, old):
    """Master keys by id, the current one first."""
    current = _decode_key(configured, "TANHUA_FIELD_KEY") if configured else _decode_key(_key_file(), "var/field_key")
    keys = {key_id(current): current}
    for n, text in enumerate(filter(None, (old or "").split(","))):
        key = _decode_key(text, f"TANHUA_FIELD_OLD_KEYS 第{n + 1}个")
        keys.setdefault(key_id(key), key)
    return keys


def key_id(master):
    return hashlib.sha256(b"tanhua-field-key-id" + master).hexdigest()[:8]


def _settings_keys():
    return _keys(getattr(settings, "TANHUA_FIELD_KEY", ""), getattr(settings, "TANHUA_FIELD_OLD_KEYS", ""))


def _cipher_name():
    name = str(getattr(settings, "TANHUA_FIELD_CIPHER", "aes-gcm")).lower()
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"TANHUA_FIELD_CIPHER 只能是 {' 或 '.join(CIPHERS)},当前为“{name}”")
    return name


@lru_cache(maxsize=32)
def _derived(master, cipher):
    length = 32 if cipher == "aes-gcm" else 16
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"tanhua:{cipher}".encode()).derive(master)


def _seal(cipher, key, nonce, plaintext, aad):
    if cipher == "aes-gcm":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(cipher, key, nonce, sealed, aad):
    if cipher == "aes-gcm":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG]) + decryptor.finalize()


def encrypt(text, field):
    """``text`` sealed for the column ``field`` (e.g. "clues.Clue.reporter_name"); "" stays ""."""
    if not text:
        return ""
    cipher = _cipher_name()
    keys = _settings_keys()
    kid, master = next(iter(keys.items()))
    nonce = secrets.token_bytes(NONCE)
    sealed = _seal(cipher, _derived(master, cipher), nonce, text.encode(), field.encode())
    return f"{PREFIX}:{cipher}:{kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(value, field):
    """The text sealed in ``value`` by :func:`encrypt` for the same ``field``."""
    if not value:
        return ""
    try:
        prefix, cipher, kid, payload = value.split(":", 3)
        raw = base64.b64decode(payload, validate=True)
    except ValueError:
        raise DecryptionError("密文格式不正确") from None
    if prefix != PREFIX or cipher not in CIPHERS:
        raise DecryptionError(f"不认识的密文格式 {prefix}:{cipher}")
    master = _settings_keys().get(kid)
    if master is None:
        raise DecryptionError(f"缺少编号为 {kid} 的密钥(轮换密钥后请把旧密钥放入 TANHUA_FIELD_OLD_KEYS)")
    try:
        return _open(cipher, _derived(master, cipher), raw[:NONCE], raw[NONCE:], field.encode()).decode()
    except InvalidTag:
        raise DecryptionError("密文校验失败:密钥不对或数据被改动") from None


def new_key():
    """A fresh master key, base64, for TANHUA_FIELD_KEY."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
