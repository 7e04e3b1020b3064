"""How documents are taken in (``settings.ingest``): chunking and the limits on what is accepted.

ingest/ reads these. They are declared here, in the domain's documents area, because the one Settings object
is assembled in assistant/ and assistant/ imports neither ingest/ nor api/.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from assistant.config import SettingsGroup

MB = 1024 * 1024


class IngestSettings(SettingsGroup):
    env_prefix = ""  # ASSISTANT_CHUNK_SIZE, ASSISTANT_MAX_FILE_MB ...: the names these always had

    chunk_size: int = Field(800, ge=100, le=8000, description="Target characters per chunk.")
    chunk_overlap: int = Field(100, ge=0, description="Characters repeated between neighbouring chunks.")
    max_file_mb: float = Field(50.0, gt=0, description="Largest single file accepted (MB).")
    max_upload_mb: float = Field(
        256.0,
        gt=0,
        description="Largest request body of one upload, all its files together as sent (MB); a bigger one is "
        "refused with 413 before it is read.",
    )
    max_upload_files: int = Field(
        2000, ge=1, description="Most files in one upload, all its files and archives' members together."
    )
    zip_max_depth: int = Field(3, ge=0, description="Deepest nesting of zips inside zips.")
    zip_max_total_mb: float = Field(
        512.0,
        gt=0,
        description="Most bytes one upload may expand to, all its files and archives' members together (MB); "
        "an archive that would pass it is refused whole.",
    )
    zip_max_ratio: int = Field(
        200,
        ge=2,
        description="Largest compression ratio of any archive member, whatever its size; an archive holding one "
        "is refused whole as a suspected zip bomb (documents compress a few times, a bomb a thousand times).",
    )

    @model_validator(mode="after")
    def _overlap_fits(self) -> IngestSettings:
        if self.chunk_overlap >= self.chunk_size // 2:
            raise ValueError(
                f"{self.env_var('chunk_overlap')} ({self.chunk_overlap}) must be under half of "
                f"{self.env_var('chunk_size')} ({self.chunk_size})"
            )
        return self

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @property
    def zip_max_total_bytes(self) -> int:
        return int(self.zip_max_total_mb * MB)
