"""`check`: the footer identifiers site.yaml lacks. A production site (base_url not example.*,
localhost or 127.*) fails the national inspection without them, so each is an error there;
a test or demo site gets warnings."""
from __future__ import annotations

from ..config.site import SiteConfig

# (setting, what it is, what it is for)
IDENTIFIERS = (
    ("site_name", "网站名称", "SiteName 元数据应为全国政府网站基本信息数据库中登记的名称，现在用的是专栏名称"),
    ("site_id_code", "网站标识码", "页脚、SiteIDCode 元数据和“政府网站找错”链接都要用它，10 位，如 5001120001"),
    ("conac_id", "党政机关网站标识", "页脚应显示链接到开办证书的党政机关网站标识，编号 32 位"),
    ("icp_record", "ICP备案号", "页脚应显示 ICP 备案号并链接到工业和信息化部备案系统，如 渝ICP备12345678号-1"),
    ("police_record", "公安机关备案号", "页脚应显示公安机关备案号，如 渝公网安备 50010302000001号"),
)


def missing(site: SiteConfig) -> list[tuple[str, str]]:
    """(severity, message) for each identifier site.yaml does not give."""
    if site.production:
        severity, note = "error", "政府网站检查要求每个页面都有"
    else:
        severity, note = "warning", "base_url 是示例或本机地址，只作提示；正式网站缺少即为不合格"
    return [(severity, f"缺少{label}：在 site.yaml 中填写 {key}。{why}。{note}。")
            for key, label, why in IDENTIFIERS if not getattr(site, key)]
