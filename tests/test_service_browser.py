"""The page for returned forms in a real browser (Debian's chromium through chromedriver), against a real server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

import pepdocs
from tests._server import serving
from tests.conftest import example, office

pytestmark = [pytest.mark.office, pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[webdriver.Chrome, Path]]:
    """Headless chromium saving downloads into a folder of its own."""
    chromium, driver = office("chromium"), office("chromedriver")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,2000",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    session.set_page_load_timeout(60)
    try:
        yield session, downloads
    finally:
        session.quit()


def _downloaded(folder: Path, suffix: str, within: float = 60) -> Path:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(
        f"nothing ending {suffix} was downloaded; the folder holds {sorted(p.name for p in folder.iterdir())}"
    )


def test_a_kent_form_dropped_on_the_page_comes_back_as_southwark_s(
    browser: tuple[webdriver.Chrome, Path], tmp_path: Path
) -> None:
    session, downloads = browser
    pep = example("kent-secondary")
    returned = tmp_path / "returned-kent.docx"
    returned.write_bytes(pepdocs.render(pep, "kent"))
    with serving() as server:
        session.get(server.url + "/")
        wait = WebDriverWait(session, 60)
        wait.until(lambda s: len(Select(s.find_element(By.ID, "target")).options) == len(pepdocs.list_forms()))
        assert (
            Select(session.find_element(By.ID, "target")).first_selected_option.get_attribute("value")
            == "southwark-full"
        )

        session.find_element(By.ID, "files").send_keys(str(returned))
        name = wait.until(seen.visibility_of_element_located((By.CSS_SELECTOR, "article .child-name")))
        assert name.text == f"{pep.child.first_name} {pep.child.last_name}"
        article = session.find_element(By.CSS_SELECTOR, "article")
        assert "Kent PEP (Kent County Council), DOCX" in article.text
        assert "Legal surname" in article.text and "Warnings (0)" in article.text

        article.find_element(By.XPATH, ".//button[starts-with(., 'Download as')]").click()
        saved = _downloaded(downloads, ".docx")
        assert saved.name == "returned-kent-southwark-full.docx"
        wait.until(lambda s: "What changed" in s.find_element(By.CSS_SELECTOR, "article").text)

    back = pepdocs.parse(saved)
    assert back.form == "southwark-full"
    assert back.pep.child.last_name == pep.child.last_name and back.pep.child.date_of_birth == pep.child.date_of_birth


def test_the_page_can_be_worked_with_the_keyboard_alone(browser: tuple[webdriver.Chrome, Path]) -> None:
    session, _ = browser
    with serving() as server:
        session.get(server.url + "/")
        reached = []
        for _ in range(14):
            ActionChains(session).send_keys(Keys.TAB).perform()
            active = session.switch_to.active_element
            reached.append(active.get_attribute("id") or active.tag_name)
        assert {"files", "target", "format", "password", "record", "prefer", "go"} <= set(reached)


def test_several_forms_with_a_key_and_a_merge_showing_its_conflicts(
    browser: tuple[webdriver.Chrome, Path], tmp_path: Path
) -> None:
    session, downloads = browser
    kent, southwark = example("kent-secondary"), example("southwark-primary")
    first, second = tmp_path / "kent.docx", tmp_path / "southwark.pdf"
    first.write_bytes(pepdocs.render(kent, "kent"))
    second.write_bytes(pepdocs.render(southwark, "southwark-full", "pdf"))
    sent = json.loads(kent.to_json())
    sent["child"]["preferred_name"] = "Luke"
    record = tmp_path / "sent.json"
    record.write_text(json.dumps(sent), encoding="utf-8")
    with serving(keys="page-key") as server:
        session.get(server.url + "/")
        wait = WebDriverWait(session, 60)
        key = wait.until(seen.visibility_of_element_located((By.ID, "apikey")))  # the server says it needs one
        key.send_keys("page-key", Keys.TAB)  # leaving the key box loads the forms with the key
        wait.until(lambda s: len(Select(s.find_element(By.ID, "target")).options) == len(pepdocs.list_forms()))
        session.find_element(By.ID, "record").send_keys(str(record))
        session.find_element(By.ID, "files").send_keys(f"{first}\n{second}")
        wait.until(lambda s: len(s.find_elements(By.CSS_SELECTOR, "article .child-name")) == 2)
        names = [element.text for element in session.find_elements(By.CSS_SELECTOR, "article .child-name")]
        assert names == [f"{p.child.first_name} {p.child.last_name}" for p in (kent, southwark)]
        second_article = session.find_elements(By.TAG_NAME, "article")[1]
        assert "Southwark PEP (London Borough of Southwark), PDF" in second_article.text

        article = session.find_element(By.CSS_SELECTOR, "article")
        article.find_element(By.XPATH, ".//button[starts-with(., 'Merge into sent.json')]").click()
        wait.until(lambda s: "1 conflict" in s.find_element(By.CSS_SELECTOR, "article").text)
        conflicts = article.find_element(By.XPATH, ".//table[caption[starts-with(., 'Conflicts')]]").text
        assert "$.child.preferred_name" in conflicts and "Luke" in conflicts
        assert str(kent.child.preferred_name) in conflicts
        article.find_element(By.XPATH, ".//button[starts-with(., 'Download the merged record')]").click()
        merged = json.loads(_downloaded(downloads, ".json").read_text(encoding="utf-8"))
    assert merged["child"]["preferred_name"] == "Luke"  # the record's value is kept unless the page is told otherwise
