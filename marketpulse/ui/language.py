"""The language switch at the top of the sidebar, kept in the address as `?lang=`.

The switch writes its name (`?lang=English`; Chinese, the default, writes nothing); a link
written by hand with a code (`?lang=en`, `en-US`, `zh-CN`) opens that language too, and the
address then carries the name, so a reload or a bookmark keeps the language. The address is
kept by hand rather than with the widget's `bind="query-params"`: a bound switch drops a
value that is not one of its labels on a first load, so `?lang=en` opened in English and
fell back to Chinese on the next reload.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from marketpulse import i18n

KEY = "lang"
_WRITTEN = "mp_lang_url"  # ?lang= as this session last wrote it ("" for none)


def _history() -> bool:
    """Whether this run follows the browser's back or forward button."""
    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def language() -> str:
    """Draw the switch; the chosen language's code."""
    given = st.query_params.get(KEY, "")
    written = st.session_state.get(_WRITTEN)
    if (given and given != written) or (not given and written and _history()):
        # a first run, or the back or forward button brought an address with another language: it
        # says which. An address without one otherwise is a first visit (Chinese, unless the
        # session already holds a language) or another page of the menu (Streamlit drops the
        # query on a page switch): the language stays, and goes back into the address below.
        st.session_state[KEY] = (i18n.lang_code(given) if given else None) or "zh"
    elif KEY not in st.session_state:
        # a new session, or a switch to another page by code (st.switch_page forgets the switch's
        # state): the address's language, which the switch carries along (shell.drill)
        st.session_state[KEY] = (i18n.lang_code(given) if given else None) or "zh"
    with st.sidebar:
        code = st.segmented_control(
            "语言 / Language",
            list(i18n.LANGS),
            key=KEY,
            format_func=lambda c: i18n.LANG_NAMES[c],
            label_visibility="collapsed",
            required=True,
        )
    code = code or "zh"
    wanted = "" if code == "zh" else i18n.LANG_NAMES[code]
    if given != wanted:
        if wanted:
            st.query_params[KEY] = wanted
        else:
            del st.query_params[KEY]
    st.session_state[_WRITTEN] = wanted
    return code


def uploader_words(lang: str, mb: float | None = None) -> str:
    """Streamlit writes its file uploader's button and size limit in English whatever the page's
    language, and the limit is the server's: in Chinese, CSS puts the words of i18n in their place
    (the label names the types); with `mb` (a page's own, lower limit) the limit says it in either."""
    server = float(st.get_option("server.maxUploadSize"))
    rules = []
    if lang != "en":
        button = i18n.t("upload.button", lang)
        rules += [
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {font-size:0}',
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after'
            f' {{content:"{button}";font-size:14px}}',
        ]
    if lang != "en" or mb is not None:
        limit = i18n.t("upload.limit", lang, mb=f"{min(mb or server, server):g}")
        rules += [
            '[data-testid="stFileUploaderDropzoneInstructions"] span {font-size:0}',
            f'[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content:"{limit}";font-size:14px}}',
        ]
    return f"<style>{''.join(rules)}</style>" if rules else ""
