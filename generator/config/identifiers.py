"""The identifiers national site inspections look for on every page (国办发〔2017〕47号,
国办秘函〔2019〕19号), as site.yaml gives them: the registered site name, 网站标识码,
党政机关网站标识 id, ICP备案号, 公安机关备案号, and the department's 政府信息公开指南, 制度
and 依申请公开 addresses. Each parser takes what was typed and returns the value or raises
fieldtypes.Invalid with a Chinese message; site.py reads them like its other keys.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from . import fieldtypes

# 省级行政区划代码 (GB/T 2260): the first two digits of a 网站标识码 and of a 公安机关备案号
PROVINCE_CODES = {
    "京": "11", "津": "12", "冀": "13", "晋": "14", "蒙": "15", "辽": "21", "吉": "22", "黑": "23",
    "沪": "31", "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36", "鲁": "37", "豫": "41",
    "鄂": "42", "湘": "43", "粤": "44", "桂": "45", "琼": "46", "渝": "50", "川": "51", "贵": "52",
    "云": "53", "藏": "54", "陕": "61", "甘": "62", "青": "63", "宁": "64", "新": "65",
}
_ABBREVIATIONS = "".join(PROVINCE_CODES)
_SITE_ID = re.compile(r"(?:\d{10}|bm\d{8})")
_CONAC_ID = re.compile(r"[0-9A-Fa-f]{32}")
_ICP = re.compile(rf"[{_ABBREVIATIONS}]ICP备\d{{6,10}}号(?:-\d{{1,3}})?")
_POLICE = re.compile(rf"(?P<province>[{_ABBREVIATIONS}])公网安备 ?(?P<code>\d{{14}})号")
_ADDRESS = re.compile(r"https?://[^\s/\"'<>]+(?:/[^\s\"'<>]*)?")

CONAC_LINK = "https://bszs.conac.cn/sitename?method=show&id={id}"
CONAC_BADGE = "https://dcs.conac.cn/image/red.png"  # the badge conac itself serves (docs/webmaster.md)
JIUCUO_LINK = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}&url={url}"
ICP_LINK = "https://beian.miit.gov.cn/"
POLICE_LINK = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def _one_line(raw) -> str:
    value = fieldtypes.normalize_digits(fieldtypes.as_text(raw)).strip()
    if "\n" in value or "\r" in value:
        raise fieldtypes.Invalid("应写在一行内", "")
    return value


def _matching(raw, pattern: re.Pattern, message: str, hint: str) -> str:
    """A one-line value that must match `pattern` whole; "" when written empty (not set)."""
    value = _one_line(raw)
    if value and not pattern.fullmatch(value):
        raise fieldtypes.Invalid(message.format(value=value), hint)
    return value


def site_name(raw) -> str:
    value = fieldtypes.as_text(raw).strip()
    if not value:
        return ""
    if "\n" in value or len(value) > 60:
        raise fieldtypes.Invalid("网站名称应为一行文字（60 字以内）",
                                 "写在全国政府网站基本信息数据库中登记的名称，如 示例市人民政府门户网站")
    return value


def site_id_code(raw) -> str:
    """网站标识码: a local site's is its region's 6-digit code plus 4 digits (5001120001);
    a State Council department's is `bm` plus 8 digits (bm07000001)."""
    value = _matching(raw, _SITE_ID, "“{value}”不是网站标识码（应为 10 位：6 位行政区划代码加 4 位数字）",
                      "如 5001120001；国务院部门网站为 bm 加 8 位数字，如 bm07000001")
    if value and value[0].isdigit() and value[:2] not in PROVINCE_CODES.values():
        raise fieldtypes.Invalid(f"网站标识码“{value}”的前两位 {value[:2]} 不是省级行政区划代码",
                                 "前 6 位是网站主办单位所在地的行政区划代码，如 500112")
    return value


def conac_id(raw) -> str:
    return _matching(raw, _CONAC_ID, "“{value}”不是党政机关网站标识的编号（应为 32 位数字和字母 A–F）",
                     "从开办单位所给的挂标代码中 bszs.conac.cn/sitename?method=show&id= 后面复制")


def icp_record(raw) -> str:
    return _matching(raw, _ICP, "“{value}”不是 ICP 备案号",
                     "写成 省份简称 + ICP备 + 数字 + 号，可带网站序号，如 渝ICP备12345678号-1")


def police_record(raw) -> str:
    value = _one_line(raw)
    if not value:
        return ""
    found = _POLICE.fullmatch(value)
    if not found:
        raise fieldtypes.Invalid(f"“{value}”不是公安机关备案号",
                                 "写成 省份简称 + 公网安备 + 14 位数字 + 号，如 渝公网安备 50010302000001号")
    if found["code"][:2] != PROVINCE_CODES[found["province"]]:
        raise fieldtypes.Invalid(f"公安机关备案号“{value}”的省份简称“{found['province']}”和编号前两位"
                                 f" {found['code'][:2]} 不一致",
                                 f"“{found['province']}”的编号以 {PROVINCE_CODES[found['province']]} 开头：核对备案信息")
    return value


def police_code(record: str) -> str:
    """The 14 digits of a 公安机关备案号: the registry's query takes them."""
    found = _POLICE.fullmatch(record)
    return found["code"] if found else ""


def address(raw) -> str:
    return _matching(raw, _ADDRESS, "“{value}”不是完整网址",
                     "写成以 https:// 或 http:// 开头的完整地址，如 https://www.example.gov.cn/zwgk/zn/")


def production(base_url: str) -> bool:
    """Whether base_url is a live site's: not example.* (or any *.example.* host), localhost
    or 127.*. Missing identifiers are errors there and warnings elsewhere."""
    host = re.sub(r"^https?://([^/:]+).*$", r"\1", base_url).lower()
    labels = host.split(".")
    return not ("example" in labels or host == "localhost" or host.endswith(".localhost")
                or re.fullmatch(r"127(?:\.\d+){3}", host))


def jiucuo_link(code: str, page_address: str) -> str:
    """The national 政府网站找错 page for one page of the site: its address URL-encoded whole."""
    return JIUCUO_LINK.format(code=quote(code, safe=""), url=quote(page_address, safe=""))
