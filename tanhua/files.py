"""Uploaded files kept as evidence or attachments: checked, then stored where nothing runs them."""

import uuid


class UploadRefused(ValueError):
    """The file's type or size is not accepted; the message says which, in Chinese."""


def store_upload(uploaded, directory, *, allowed, max_bytes, default_name="附件"):
    """Check ``uploaded`` and write it to ``directory`` under a random name; ``(stored, original)``.

    The stored name has no suffix and is outside the web root: never executable, never guessable.
    """
    name = uploaded.name or default_name
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in allowed:
        raise UploadRefused(f"不支持的文件类型“{suffix or name}”,可上传:{'、'.join(sorted(allowed))}")
    if uploaded.size > max_bytes:
        raise UploadRefused(f"文件“{name}”过大({uploaded.size // (1024 * 1024)}MB),上限为 "
                            f"{max_bytes // (1024 * 1024)}MB")
    directory.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    with open(directory / stored, "wb") as out:
        out.writelines(uploaded.chunks())
    return stored, name[:200]
