"""Answers for the failure patterns of the blind sets (issue 9), one row per way of asking,
written for the pattern (not copied from a set): a business asking what binds it, verdicts on
roles and exceptions, terms the texts use or never use, several document facts at once, a
target compared with the national one, who owns a target, typos."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from indexing.corpus import Corpus
from tests.conftest import cited_places, talk


@pytest.mark.parametrize(("question", "audience"), [
    ("我们是一家钢铁厂，方案对我们有哪些硬性要求", "steel_materials"),
    ("俺们是开饭店的，有啥扶持政策没", "hospitality"),
    ("我们公司做数据中心，方案里跟我们有关的有哪些", "data_centres"),
])
def test_a_business_gets_the_measures_of_its_trade(assistant: Assistant, question: str,
                                                   audience: str) -> None:
    answer = assistant.answer(question)
    assert "catalogue" in answer.route and not answer.refused
    labels = {m.ref: m.audience for m in assistant.matcher.catalogue.measures}
    cited = [f"{c.doc_id}/{c.clause_no}/{c.provision}" for c in answer.citations]
    assert cited and all(audience in labels[ref] for ref in cited), (cited, answer.answer)


def test_speaking_of_businesses_is_not_speaking_as_one(assistant: Assistant) -> None:
    answer = assistant.answer("企业不做强制性清洁生产审核会被罚款吗")
    assert "catalogue" not in answer.route
    assert ("tianjin-2022", 3) in cited_places(answer)


@pytest.mark.parametrize(("question", "opening"), [
    ("天津海关有没有牵头的任务", "否"),
    ("市发展改革委有没有牵头的任务", "是"),
    ("市邮政管理局是不是只是配合单位", "是"),
    ("市住房城乡建设委是不是只当配合单位", "否"),
    ("油气化工码头也要同步建设岸电设施吗", "否"),
    ("Must oil and gas chemical wharves build shore power too?", "No"),
    ("Is it true that every port tug has to use shore power?", "Yes"),
    ("方案里提到小站稻了没", "是"),
    # a year supposed for a subject: the sentence with that year is on something else (2035),
    # the texts set it another year (2060), or they set it that year
    ("天津方案是不是要求2035年实现碳中和", "否"),
    ("Does the Tianjin plan aim for carbon neutrality by 2035?", "No"),
    ("碳中和的时间是2050年吗", "否"),
    ("中央意见是不是说2060年前实现碳中和", "是"),
    # the year of a subject the plan does not set: 达峰后稳中有降 gives no year of the peak
    ("天津方案有没有写天津哪一年碳达峰", "文件未规定"),
    # a duty worded plainly (每年向国务院报告) is no "not mandatory"
    ("Do the central opinions require localities to report to the State Council every year?",
     "Yes"),
    # a high-emission industry asking for a price favour the text forbids
    ("Can steel plants still get preferential electricity prices under the national documents?",
     "No"),
    # a rule is of what it governs (淘汰分散燃煤锅炉 bans no coal), and one made of some only
    # (未纳入…规划的，一律不得…) is none on all
    ("Does the Tianjin plan ban coal?", "No"),
    ("天津方案是不是规定酒店不能再提供一次性牙刷了", "否"),
    ("中央意见是不是说以后一律不准新建炼油厂了", "否"),
    ("是不是所有企业都得做强制性清洁生产审核", "否"),
    # a plan silent on a ban leaves it unsaid
    ("天津超市以后是不是全面禁用塑料袋了", "文件未规定"),
    ("没纳入国家产业规划的乙烯项目还能新建吗", "否"),
    # a word of what is asked that another document uses and the one asked about does not
    # (nor words otherwise: 交易试点市场 is a 交易市场); what the asker says of itself, and
    # everyday words (数字, 面积), are not what is asked
    ("天津方案里有没有说要建再生资源区域交易中心",
     "否。《天津方案》没有提到“再生资源区域交易中心”"),
    ("国务院文件鼓励地方用补贴、积分奖励促进绿色消费，咱们方案里写了这个吗", "否"),
    ("天津方案里说要在天津建核电站吗", "否"),
    ("Does the green finance section of Tianjin's plan mention green bonds at all?", "No"),
    ("天津有碳排放交易市场吗", "是"),
    ("我们是煤化工企业，想做碳捕集研发，天津方案里有没有涉及CCUS", "是"),
])
def test_yes_no_verdicts_on_roles_exceptions_and_mentions(assistant: Assistant, question: str,
                                                          opening: str) -> None:
    assert assistant.answer(question).answer.startswith(opening)


@pytest.mark.parametrize(("question", "place"), [
    ("双超双有是什么意思", ("tianjin-2022", 3)),
    # the term inside a longer phrase: the stretch the texts use is the term
    ("文件里讲的两网融合究竟什么意思", ("tianjin-2022", 10)),
])
def test_a_term_the_texts_use_is_shown_where_it_stands(assistant: Assistant, question: str,
                                                       place: tuple[str, int]) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and place in cited_places(answer), answer.answer
    assert "没有具体说明" in answer.not_stated


def test_a_term_no_text_uses_is_declined(assistant: Assistant) -> None:
    answer = assistant.answer("什么是碳普惠")
    assert answer.refused and not answer.citations and "碳普惠" in answer.answer


def test_framing_lines_of_a_document_are_never_cited(assistant: Assistant,
                                                     corpus: Corpus) -> None:
    answer = assistant.answer("听说天津要禁止燃油车了是真的吗")
    for c in answer.citations:
        if c.clause_no == 0 and c.provision is not None:
            assert c.quote.rstrip().endswith("。"), c.quote


def test_several_document_facts_in_one_question(assistant: Assistant) -> None:
    text = assistant.answer("实施方案是哪天印发的？根据哪个文件制定的？").answer
    assert "2022年3月25日" in text and "国发〔2021〕4号" in text


def test_a_target_compared_with_the_national_one(assistant: Assistant) -> None:
    answer = talk(assistant, "天津非化石能源消费比重的目标是多少", "比国家的要求高还是低")
    assert "11.5%" in answer.answer and "20%" in answer.answer
    assert {"tianjin-2022", "zhongfa-2021-36"} <= {d for d, _ in cited_places(answer)}


def test_who_owns_a_target_says_the_plan_names_no_one(assistant: Assistant) -> None:
    answer = talk(assistant, "天津方案的主要目标有哪些", "这些指标由哪个部门负责完成")
    assert answer.not_stated and "没有规定" in answer.not_stated
    assert any(c.agencies for c in answer.citations)


@pytest.mark.parametrize(("question", "place"), [
    ("两网溶合是啥意思", ("tianjin-2022", 10)),
    ("Tianjn air qualty target for 2025", ("tianjin-2022", 2)),
])
def test_typos_of_the_texts_words_are_mended(assistant: Assistant, question: str,
                                             place: tuple[str, int]) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and place in cited_places(answer), answer.answer


@pytest.mark.parametrize(("question", "opening", "place"), [
    ("指导意见讲绿色物流的那条，天津方案里有对应的条款吗", "是", ("tianjin-2022", 9)),
    ("国发4号文讲深化国际合作的那条，天津方案有没有对应的", "否", ("guofa-2021-4", 29)),
])
def test_whether_the_home_plan_has_a_counterpart(assistant: Assistant, question: str,
                                                 opening: str,
                                                 place: tuple[str, int]) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening) and place in cited_places(answer), answer.answer


@pytest.mark.parametrize(("question", "opening", "place"), [
    # a term the document asked about uses: cited where it stands
    ("天津方案里提没提小站稻", "是", ("tianjin-2022", 4)),
    ("国家指导意见里提到数据中心了吗", "是", ("guofa-2021-4", 6)),
    # a term it does not use, which another document does: no, and where it stands
    ("国务院指导意见里提没提核电", "否", ("zhongfa-2021-36", 12)),
])
def test_whether_a_document_mentions_a_term(assistant: Assistant, question: str, opening: str,
                                            place: tuple[str, int]) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer
    assert place in cited_places(answer), answer.answer


def test_a_term_no_document_mentions_is_declined(assistant: Assistant) -> None:
    answer = assistant.answer("方案里提没提区块链")
    assert answer.refused and "区块链" in answer.answer


@pytest.mark.parametrize("question", [
    "天津方案里2025年碳排放强度具体要降多少",  # named in the targets without a figure
    "方案对2035年有没有定具体的数值",  # the year's sentence holds no figure
])
def test_a_figure_the_clause_does_not_give_for_what_is_asked(assistant: Assistant,
                                                              question: str) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and ("tianjin-2022", 2) in cited_places(answer), answer.answer
    assert "具体数值" in answer.not_stated, answer.answer


def test_a_figure_the_clause_gives_is_no_silence(assistant: Assistant) -> None:
    answer = assistant.answer("天津方案2025年非化石能源消费比重要达到多少")
    assert "11.5%" in answer.answer and not answer.not_stated


@pytest.mark.parametrize(("question", "opening"), [
    ("天津方案是国务院印发的吗", "否"),  # another document's issuer
    ("天津方案是市政府发的吗", "是"),  # the issuer by its short name
    ("国务院指导意见是国务院发的吧", "是"),
])
def test_the_issuer_a_question_supposes_is_checked(assistant: Assistant, question: str,
                                                   opening: str) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer


def test_the_document_a_basis_follow_up_asks_about(assistant: Assistant) -> None:
    answer = talk(assistant, "天津这个方案主要讲什么", "那它是依据哪个国家文件制定的")
    assert "国发〔2021〕4号" in answer.answer, answer.answer
    # a document named by its own name is the subject: its basis, not the plan's
    named = assistant.answer("国务院指导意见依据的是哪个文件")
    assert "没有写明" in named.answer, named.answer


def test_one_indicator_in_each_documents_own_words_is_compared(assistant: Assistant) -> None:
    """单位地区生产总值能源消耗 (the plan) and 单位国内生产总值能耗 (the national opinions) are
    one indicator: a comparison shows both figures."""
    answer = talk(assistant, "天津万元GDP能耗到2025年要降多少", "跟中央意见比是高还是低")
    assert "14.5%" in answer.answer and "13.5%" in answer.answer, answer.answer


@pytest.mark.parametrize("question", [
    "天津方案里有没有定居民人均可支配收入的增长目标",  # a word no text uses
    "天津的GDP目标是多少",  # only what targets are measured per
])
def test_a_target_the_documents_never_set_is_declined(assistant: Assistant,
                                                      question: str) -> None:
    answer = assistant.answer(question)
    assert answer.refused, answer.answer


@pytest.mark.parametrize(("question", "fact"), [
    ("单位GDP能耗到2025年要降多少", "14.5%"),  # GDP qualifies the indicator asked
    ("天津到2025年空气优良天数比例目标", "68%"),
])
def test_a_target_named_with_its_qualifiers_is_found(assistant: Assistant, question: str,
                                                     fact: str) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and fact in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "fact"), [
    ("天津方案2030年单位GDP能耗要降多少", "14.5%"),  # the indicator's target of another year
    ("Are there any 2030 targets in the Tianjin plan?", "2025"),
])
def test_a_year_the_named_document_sets_no_target_for(assistant: Assistant, question: str,
                                                      fact: str) -> None:
    answer = assistant.answer(question)
    assert "2030" in answer.not_stated and fact in answer.answer, answer.answer
    assert any(c.clause_no == 2 for c in answer.citations), answer.citations


def test_a_year_the_document_speaks_of_without_figures_is_no_unset_year(
        assistant: Assistant) -> None:
    # 到2035年 … the plan's goals for that year have no figures: they are goals still
    answer = assistant.answer("天津方案对2035年提了什么目标")
    assert "没有设定2035年" not in answer.answer, answer.answer


def test_whether_a_document_also_gives_the_figure(assistant: Assistant) -> None:
    answer = talk(assistant, "天津畜禽粪污资源化利用率目标多少", "这个数在国务院指导意见里也有吗")
    assert answer.answer.startswith("否"), answer.answer
    assert answer.citations[0].doc_id == "guofa-2021-4", answer.citations


def test_whom_to_call_about_a_named_task_shows_the_task(assistant: Assistant) -> None:
    """An agency's office or phone asked beside a subject: not given, the task on that subject
    with its agencies instead; an agency's phone alone has nothing near it."""
    answer = assistant.answer("做绿色流通主体培育这事，找商务局哪个部门，有联系电话吗")
    assert not answer.refused and answer.not_stated, answer.answer
    assert any(c.clause_no == 5 and c.provision == 1 for c in answer.citations), answer.citations


@pytest.mark.parametrize(("question", "opening", "doc"), [
    ("Is nuclear power mentioned in the Tianjin plan?", "No.", "zhongfa-2021-36"),
    ("Does the State Council guideline say anything about hydrogen?", "Yes.", "guofa-2021-4"),
])
def test_whether_a_document_mentions_an_english_term(assistant: Assistant, question: str,
                                                      opening: str, doc: str) -> None:
    """The English words are read through the terms the search translates them to."""
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer
    assert answer.citations[0].doc_id == doc, answer.citations


def test_a_who_follow_up_with_a_word_of_its_own(assistant: Assistant) -> None:
    """A follow-up's own subject word (浪费) that the task before lacks is looked up: the
    word it shares with that task (餐饮) does not pull it back."""
    answer = talk(assistant, "酒店还能主动提供一次性用品吗", "那餐饮行业的浪费问题谁来抓")
    assert (answer.citations[0].clause_no, answer.citations[0].provision) == (13, 1), \
        answer.answer


@pytest.mark.parametrize(("first", "then", "provision"), [
    ("海水淡化是哪个部门牵头", "国家文件里是咋说的", "海水淡化"),
    ("清洁生产审核是哪个部门牵头负责的", "国务院那个指导意见里也有这个要求吗", "清洁生产审核"),
    ("医疗废物处置谁负责", "国务院的指导意见里对这个是咋说的", "医疗废物"),
])
def test_the_national_counterpart_of_a_task_leads_with_its_subject(
        assistant: Assistant, first: str, then: str, provision: str) -> None:
    """A national clause on many things (all urban infrastructure) is quoted from the
    provision on what the task shown is about, not from its first four."""
    answer = talk(assistant, first, then)
    assert answer.citations[0].doc_id != "tianjin-2022", answer.answer
    assert provision in answer.citations[0].quote, answer.answer


def test_who_to_ask_after_national_tasks_is_the_home_task(assistant: Assistant) -> None:
    """National texts name no agency: 找哪个部门 after them is answered by the home task that
    implements them, on the follow-up's own words too (粪污处理设备)."""
    answer = talk(assistant, "国务院指导意见对畜禽粪污资源化利用怎么说",
                  "那买粪污处理设备能补贴多少？找哪个部门？")
    assert answer.citations[0].doc_id == "tianjin-2022", answer.answer
    assert "市农业农村委" in answer.citations[0].agencies, answer.answer


@pytest.mark.parametrize("question", [
    "我是天大的学生，天津这个方案里有提到我们学校吗？",
    "I'm a student at Tianjin University - is my school mentioned anywhere in the Tianjin plan?",
])
def test_a_university_by_its_short_or_english_name(assistant: Assistant, question: str) -> None:
    answer = assistant.answer(question)
    assert ("tianjin-2022", 18) in cited_places(answer), answer.answer


@pytest.mark.parametrize("question", [
    "When did the Central Committee and the State Council put out the carbon peaking opinions?",
    "中共中央、国务院那个意见是哪天出的",
])
def test_a_document_named_by_its_joint_issuers(assistant: Assistant, question: str) -> None:
    """Two issuers named together name their joint document, not also the one of one of them."""
    answer = assistant.answer(question)
    assert [c.doc_id for c in answer.citations] == ["zhongfa-2021-36"], answer.citations
    assert "2021" in answer.answer, answer.answer


def test_the_issuers_asked_with_the_number(assistant: Assistant) -> None:
    answer = assistant.answer("国发4号文是哪个单位出的，文号全称怎么写")
    assert "国务院" in answer.answer and "国发〔2021〕4号" in answer.answer, answer.answer


def test_a_document_fact_follow_up_naming_another_document_with_a_pointer(
        assistant: Assistant) -> None:
    # 那中央那个意见呢: a demonstrative inside a held document's name names it
    answer = talk(assistant, "天津方案有几个部分", "那中央那个意见呢")
    assert not answer.refused and "13个部分" in answer.answer, answer.answer


@pytest.mark.parametrize("question", ["碳达峰是哪年", "碳中和啥时候实现"])
def test_the_year_of_a_subject_a_documents_name_also_holds(assistant: Assistant,
                                                          question: str) -> None:
    """碳达峰 is a subject as well as a word of the 碳达峰碳中和意见's name: its year is asked,
    answered from the national targets, never declined as nothing the documents treat."""
    answer = assistant.answer(question)
    assert not answer.refused, answer.answer
    assert answer.citations[0].doc_id == "zhongfa-2021-36", answer.citations
    assert "2030" in answer.answer or "2060" in answer.answer, answer.answer


@pytest.mark.parametrize(("first", "then", "counted"), [
    ("绿色保险由哪个部门负责？", "这个部门一共牵头多少项任务？", "市金融局"),
    ("Who is in charge of green insurance?", "How many tasks does that body lead altogether?",
     "市金融局"),
    ("岸电由谁负责", "它还负责哪些工作", "市交通运输委"),
])
def test_the_agency_the_answer_before_named(assistant: Assistant, corpus: Corpus, first: str,
                                            then: str, counted: str) -> None:
    """这个部门 / that body after who leads a task is the lead that answer named: its tasks
    in the whole plan, not the one task asked about before."""
    answer = talk(assistant, first, then)
    home = corpus.home
    assert home is not None
    tasks = [p for p in home.provisions if p.agencies and counted in p.agencies]
    led = [p for p in tasks if p.agencies[0] == counted]
    expected = led if ("牵头" in then or "lead" in then) else tasks
    assert {(c.clause_no, c.provision) for c in answer.citations} == {
        (p.clause_no, p.index) for p in expected}, answer.answer


@pytest.mark.parametrize("question", [
    "方案里的“碳信用卡”怎么办理？",
    "What does the plan say about the “低碳积分银行” scheme?",
])
def test_a_quoted_term_no_document_uses_is_declined(assistant: Assistant, question: str) -> None:
    """A term quoted as the documents' own that none of them uses: declined, the term named
    (a loosely related clause would pass for it)."""
    answer = assistant.answer(question)
    assert answer.refused and not answer.citations, answer.answer
    assert ("碳信用卡" in answer.answer) or ("低碳积分银行" in answer.answer)


@pytest.mark.parametrize("question", [
    "“充电桩”建设由谁负责",  # the texts say 充换电: widened, so no unknown term
    "“发改委”负责什么",  # an agency's name
    "“双超双有高能耗”行业指什么",  # used verbatim
])
def test_a_quoted_term_the_texts_know_is_answered(assistant: Assistant, question: str) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and answer.citations, answer.answer


@pytest.mark.parametrize(("question", "opening"), [
    ("天津方案里有没有写明碳中和的具体年份？", "文件未规定"),
    ("方案有没有给淘汰分散燃煤锅炉定时间表", "文件未规定"),
])
def test_whether_a_year_is_given_for_a_subject(assistant: Assistant, question: str,
                                               opening: str) -> None:
    """A year asked of a subject the shown provisions give none for: said so, and a yes/no
    opens with "not set" (a figure missing opens 否: 国家文件里也有这个数吗)."""
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening) and "年份" in answer.not_stated, answer.answer


def test_a_year_asked_of_a_task_without_one_is_said_not_given(assistant: Assistant) -> None:
    answer = assistant.answer("分散燃煤锅炉要在哪一年前全部淘汰？")
    assert (14 in {c.clause_no for c in answer.citations}) and "年份" in answer.not_stated, \
        answer.answer


def test_two_targets_asked_one_after_the_other(assistant: Assistant) -> None:
    """Each ask of a question (…要达到多少？…呢？) gets its own indicator's figure."""
    answer = assistant.answer("到2025年秸秆综合利用率要达到多少？畜禽粪污资源化利用率呢？")
    assert "98%" in answer.answer and "90%" in answer.answer, answer.answer


def test_a_follow_up_naming_a_document_and_a_subject_of_its_own(assistant: Assistant) -> None:
    """那XX意见里对数据中心怎么说 after who leads a task: the subject asked of that document;
    the words of the turn before (部门, 牵头) do not steer its search."""
    answer = talk(assistant, "数据中心绿色化由哪个部门牵头？", "这个是哪个部门牵头的？",
                  "那中发36号那个碳达峰碳中和意见里，对数据中心又是怎么说的？")
    assert ("zhongfa-2021-36", 10) in cited_places(answer), answer.answer


def test_an_item_of_a_list_named_by_its_words(assistant: Assistant) -> None:
    """其中岸电那一项 after an agency's list: the task shown with those words, not a task
    of the same clause that the list did not show."""
    answer = talk(assistant, "市交通运输委牵头的任务有哪些", "其中港口岸电那一项，配合单位都有谁？")
    assert [(c.clause_no, c.provision) for c in answer.citations] == [(9, 5)], answer.answer
    assert "天津海事局" in answer.answer


def test_a_detail_asked_of_the_task_shown_before(assistant: Assistant) -> None:
    """怎么申请 after a task: the texts give no procedure, said with that task (not a task on
    申请 found anew)."""
    answer = talk(assistant, "岸电由谁负责", "怎么申请？")
    assert [(c.clause_no, c.provision) for c in answer.citations] == [(9, 5)], answer.answer
    assert answer.not_stated and not answer.refused


@pytest.mark.parametrize(("question", "opening"), [
    ("是不是所有新建码头都得配岸电？油气码头也算吗", "否"),  # 油气化工码头除外, said shorter
    ("妇联在这个方案里也有活儿？", "是"),
    ("高耗能行业能不能享受电价优惠？", "否"),  # 严禁…实施电价优惠 forbids what is asked
    ("意见是不是明确不允许对高耗能行业搞电价优惠？", "是"),  # the ban asked, the ban stated
])
def test_yes_no_said_shorter_or_asked_back(assistant: Assistant, question: str,
                                           opening: str) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer


@pytest.mark.parametrize(("question", "opening", "doc"), [
    ("国发4号是不是中共中央和国务院联合发的？", "否", "guofa-2021-4"),  # 国务院 alone
    ("中发〔2021〕36号是国务院发的吗？", "是", "zhongfa-2021-36"),  # one of its two issuers
    ("天津方案是依据中发〔2021〕36号文件制定的吗？", "否", "tianjin-2022"),  # 国发4号 it is
    ("天津方案是依据国发4号制定的吗？", "是", "tianjin-2022"),
])
def test_a_document_fact_supposed_is_checked(assistant: Assistant, question: str,
                                             opening: str, doc: str) -> None:
    """The issuer or basis a yes/no question supposes, against the document's own; a name
    that is the issuer supposed (国务院) is not the document asked about."""
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer
    assert answer.citations[0].doc_id == doc, answer.answer


@pytest.mark.parametrize("question", [
    "单位GDP能耗 天津定的降多少，中央那个碳达峰意见里定的降多少？差几个点",  # points of a gap
    "天津方案定的2025年单位GDP能耗降幅，是不是比国家碳达峰碳中和意见定的还要高？",
])
def test_a_target_compared_gives_both_figures(assistant: Assistant, question: str) -> None:
    answer = assistant.answer(question)
    assert "14.5%" in answer.answer and "13.5%" in answer.answer, answer.answer
    assert {c.doc_id for c in answer.citations} == {"tianjin-2022", "zhongfa-2021-36"}


@pytest.mark.parametrize(("question", "task"), [
    ("垃圾分类现在归哪个部门管啊", (13, 2)),  # the sorting itself, not the fee named after it
    ("垃圾分类计量收费是谁牵头的", (21, 2)),  # the fee, asked by its own words
])
def test_who_leads_the_task_about_the_subject(assistant: Assistant, question: str,
                                              task: tuple[int, int]) -> None:
    answer = assistant.answer(question)
    assert (answer.citations[0].clause_no, answer.citations[0].provision) == task, answer.answer


@pytest.mark.parametrize(("question", "clause"), [
    ("中央的碳达峰碳中和意见对提高能效有什么要求？", 10),  # not the 碳达峰碳中和 leading group
    ("What does the carbon peaking opinion say about data centres?", 10),
])
def test_a_named_document_does_not_pull_the_search_to_its_title(
        assistant: Assistant, question: str, clause: int) -> None:
    answer = assistant.answer(question)
    assert answer.citations[0].doc_id == "zhongfa-2021-36", answer.answer
    assert answer.citations[0].clause_no == clause, answer.answer


@pytest.mark.parametrize(("question", "opening"), [
    ("听说天津方案要求2025年非化石能源占比达到20%，真的假的？", "否"),  # the target is 11.5%
    ("天津方案要求2025年非化石能源比重达到11.5%，对吗？", "是"),
])
def test_a_figure_supposed_is_checked_against_the_target(assistant: Assistant, question: str,
                                                         opening: str) -> None:
    assert assistant.answer(question).answer.startswith(opening)


@pytest.mark.parametrize("question", [
    "方案里“大力发展绿色金融”那条，都有哪些单位负责？",  # a clause quoted by its title
    "国务院指导意见里有一条“深化国际合作”，天津方案里有对应的条款吗？",
])
def test_a_clause_quoted_by_its_title_is_no_unknown_term(assistant: Assistant,
                                                         question: str) -> None:
    answer = assistant.answer(question)
    assert not answer.refused and answer.citations, answer.answer


@pytest.mark.parametrize(("question", "opening"), [
    # an exception of the kind the question says all of: （油气化工码头除外）
    ("是不是所有新改扩建码头都必须建设岸电设施？", "否"),
    # a 100% rate of another kind in the same task is no exception to it
    ("Is it true that all harbour tugs at Tianjin port have to use shore power?", "Yes"),
    # 严格落实 binds as a plan words it
    ("按中央那份碳达峰碳中和意见，新建平板玻璃项目是不是必须搞产能置换？", "是"),
])
def test_a_universal_or_binding_claim_opens_as_the_text_decides(assistant: Assistant,
                                                                question: str,
                                                                opening: str) -> None:
    assert assistant.answer(question).answer.startswith(opening)


def test_an_english_question_opening_with_and_leans_on_the_one_before(
        assistant: Assistant) -> None:
    answer = talk(assistant, "What's Tianjin's target for good air quality days by 2025?",
                  "and energy consumption per unit of GDP?")
    assert "14.5%" in answer.answer
    assert ("tianjin-2022", 2) in cited_places(answer)


def test_an_english_yes_no_opening_is_followed_by_a_space(assistant: Assistant) -> None:
    answer = assistant.answer("Does the Women's Federation have any assigned task in the plan?")
    assert answer.answer.startswith("Yes. "), answer.answer[:40]


@pytest.mark.parametrize("question", [
    "What happens to regions that fail to meet their carbon peaking targets?",
    "完不成碳达峰目标的地区会被怎么处罚？",
])
def test_a_sanction_the_text_names_is_no_unstated_penalty(assistant: Assistant,
                                                          question: str) -> None:
    answer = assistant.answer(question)
    assert ("zhongfa-2021-36", 37) in cited_places(answer), answer.answer[:200]
    assert not answer.not_stated, answer.not_stated


def test_a_penalty_no_text_names_is_still_unstated(assistant: Assistant) -> None:
    answer = assistant.answer("酒店要是还主动提供一次性用品，会被罚款吗？")
    assert answer.not_stated and ("tianjin-2022", 5) in cited_places(answer)


@pytest.mark.parametrize(("question", "opening"), [
    # a term with other words beside it that the plan never uses, another document does
    ("天津方案里有没有写要建再生资源区域交易中心？", "否"),
    # worded otherwise in the plan (二氧化碳捕集、利用和封存): not absent
    ("天津方案有提到碳捕集利用与封存吗？", "是"),
])
def test_a_mention_with_words_beside_the_term(assistant: Assistant, question: str,
                                              opening: str) -> None:
    assert assistant.answer(question).answer.startswith(opening)


@pytest.mark.parametrize(("turns", "term"), [
    # the business said what it is before; a later turn names one subject of its own
    (("我们公司是开饭店的，方案对我们有什么要求？", "厨余垃圾这块呢？"), "厨余垃圾"),
    (("我们是做物流运输的，方案有什么支持？", "那充电桩方面有补贴吗？"), "充换电"),
    (("We run a small courier depot. What support is there for us?",
      "And what about bonded maintenance?"), "保税维修"),
], ids=["restaurant-then-food-waste", "carrier-then-chargers", "english"])
def test_a_business_asking_on_one_subject_gets_that_subjects_task(
        assistant: Assistant, turns: tuple[str, ...], term: str) -> None:
    answer = talk(assistant, *turns)
    assert answer.citations and term in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize(("question", "clause", "silent"), [
    # a target asked of a subject the main targets never name: its own clause, no figure
    ("到2025年天津的再生资源回收利用规模要达到多少吨？", ("tianjin-2022", 10), True),
    # the targets of one sector, not the plan's headline ones
    ("方案里对港口提了哪些量化指标？", ("tianjin-2022", 9), False),
    # an office describing itself is no agency whose task list is asked
    ("我在区政府上班，实施方案对各区落实工作有哪些总体要求？", ("tianjin-2022", 26), False),
], ids=["figure-of-a-subject", "targets-of-a-sector", "self-described-office"])
def test_a_structural_answer_beside_the_subject_yields_to_its_clause(
        assistant: Assistant, question: str, clause: tuple[str, int], silent: bool) -> None:
    answer = assistant.answer(question)
    assert clause in cited_places(answer), answer.answer
    assert bool(answer.not_stated) is silent, answer.not_stated


@pytest.mark.parametrize(("question", "opening"), [
    # taking part is being named on the task at all, not leading it
    ("方案里有没有让市公安局也参与强化执法监督？", "是"),
    ("强化执法监督这项是市公安局牵头吗？", "否"),
])
def test_taking_part_is_any_agency_of_the_task(assistant: Assistant, question: str,
                                               opening: str) -> None:
    assert assistant.answer(question).answer.startswith(opening)


@pytest.mark.parametrize(("question", "declined"), [
    # a scheme formed on 碳 that no text has: declined with its name, whatever is asked of it
    ("方案里的碳标签制度是哪个部门负责的？", "碳标签"),
    ("天津方案第几条讲个人碳账户？", "碳账户"),
    ("现在一吨碳大概卖多少钱？", None),
    # split 低|碳教育 by the segmenter: the morpheme belongs to the text word before it
    ("学校想搞低碳教育，国家文件怎么说？", None),
    # the users' words the glossary maps to the texts' (碳市场 → 碳排放权交易), a longer form
    # of a text word (碳价格 of 碳价), a typo beside the morpheme, a question about 碳
    ("天津碳市场归哪个局管？", None),
    ("国家文件对碳价格机制怎么说？", None),
    ("碳达锋碳中和意见是哪年发的？", None),
    ("碳多少钱一吨？文件里有说吗", None),
], ids=["label", "account", "adverb-after", "word-before", "glossary", "longer-form",
        "typo", "question-about-it"])
def test_a_scheme_no_text_has_is_declined_by_name(assistant: Assistant, question: str,
                                                  declined: str | None) -> None:
    answer = assistant.answer(question)
    if declined is None:
        assert not answer.refused or "没有使用" not in answer.answer, answer.answer
    else:
        assert answer.refused and declined in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "opening"), [
    # a deadline supposed for a task that sets no date at all: the year is not given
    ("共同编制京津冀绿色建筑设计标准，是要求2024年底前完成吗？", "文件未规定"),
    ("天津碳排放权交易试点市场会在2026年前关闭吗？", "文件未规定"),
    # a document fact: the composer's own verdict stands
    ("天津这个方案是2021年印发的吗？", "否"),
], ids=["deadline-of-a-task", "date-of-an-event", "document-date"])
def test_a_year_supposed_of_a_task_that_sets_none_is_unstated(
        assistant: Assistant, question: str, opening: str) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer


def test_a_term_asked_after_a_verb_is_the_phrases_head(assistant: Assistant) -> None:
    # 发展绿色债券 asks after 绿色债券, which the plan never uses and the national text does
    answer = assistant.answer("天津方案里有没有专门提到发展绿色债券？")
    assert answer.answer.startswith("否") and "绿色债券" in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "opening"), [
    # a subsidy the plan does not give is one it leaves unsaid, not one it rules out
    ("我家想换节能热水器，政府给补贴吗？", "文件未规定"),
    ("Will Tianjin give residents a subsidy for energy-saving appliances?",
     "The documents do not say"),
    # whether one document takes up what another names is a plain no
    ("国务院文件说可以用补贴促进绿色消费，天津方案里有这种措施吗？", "否"),
], ids=["zh", "en", "taken-up"])
def test_a_subsidy_not_given_is_unstated(assistant: Assistant, question: str,
                                         opening: str) -> None:
    answer = assistant.answer(question)
    assert answer.answer.startswith(opening), answer.answer
    assert bool(answer.not_stated) is (opening != "否")


@pytest.mark.parametrize(("turns", "place"), [
    (("国务院指导意见里对绿色供应链试点怎么说？", "天津这边是哪个局牵头？"), ("tianjin-2022", 8)),
    (("What does the State Council's guiding opinion say on shore power?",
      "And who leads that in Tianjin?"), ("tianjin-2022", 9)),
], ids=["zh", "en"])
def test_who_leads_at_home_after_a_national_task(assistant: Assistant,
                                                 turns: tuple[str, ...],
                                                 place: tuple[str, int]) -> None:
    # the national texts name no agency: the home task that implements the one shown
    answer = talk(assistant, *turns)
    assert place in cited_places(answer) and answer.citations[0].agencies, answer.answer


@pytest.mark.parametrize(("term", "text", "on_it"), [
    ("垃圾分类", "完善生活垃圾分类制度体系，推进生活垃圾分类和减量化、资源化。", True),
    ("垃圾分类", "逐步建立生活垃圾分类计价、计量收费等差别化收费制度。", False),
    ("统筹协调", "市发展改革委要会同有关部门强化统筹协调，", True),
])
def test_a_term_as_a_phrase_of_its_own_or_a_modifier(term: str, text: str, on_it: bool) -> None:
    from assistant.answers.who import about

    assert about(term, text) is on_it


def test_the_task_on_a_term_leads_over_one_using_it_as_a_modifier(assistant: Assistant
                                                                   ) -> None:
    answer = talk(assistant, "天津垃圾分类是咋安排的", "那国家文件咋说的", "天津这边具体谁管这事")
    assert answer.citations[0].clause_no == 13 and "市城市管理委" in answer.answer, answer.answer


def test_an_amount_asked_after_a_subject_stays_on_it(assistant: Assistant) -> None:
    """能补贴多少钱 has no subject of its own (补贴 is what it supposes): the turn before's
    task again, with the amount said not given, not the plan's general fiscal clause."""
    answer = talk(assistant, "我家想在楼顶装太阳能板，这几个文件支持不", "那装了能补贴多少钱")
    assert answer.not_stated, answer.answer
    assert all(c.clause_no != 22 for c in answer.citations[:1]), answer.answer
    assert any(w in answer.citations[0].quote for w in ("光伏", "太阳能")), answer.answer
