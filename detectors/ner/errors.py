"""The one error an administrator sees when the NER backend cannot be used, with the fix."""

from __future__ import annotations

from detectors.config import ConfigError

HOW_TO_PROVIDE_MODEL = (
    "On a machine with internet access download the Hugging Face model "
    "ckiplab/bert-base-chinese-ner (e.g. `git clone "
    "https://huggingface.co/ckiplab/bert-base-chinese-ner`), copy the whole folder here and set "
    '[detectors.ner] model = "/path/to/bert-base-chinese-ner" in config.toml. '
    "請在可連網的電腦下載 ckiplab/bert-base-chinese-ner 整個資料夾，複製到本機後於 config.toml 的 "
    "[detectors.ner] model 指向該資料夾。"
)
HOW_TO_INSTALL = (
    "The NER backend needs the optional dependencies: pip install 'dlpbot[ner]' "
    "(ckip-transformers, transformers, torch==2.13.0 CPU). 請安裝 dlpbot[ner] 選用套件。"
)


class NerUnavailable(ConfigError):
    """The configured NER backend cannot run; the message says what to install or copy."""
