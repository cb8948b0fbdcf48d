"""A deterministic synthetic corpus of Dutch council documents, for the search and import benchmarks.

`records(n, seed=..., bodies=[(code, name), ...])` yields n records in the format of
docs/IMPORT_ORI.md (motions, amendments, written questions, answers, proposals), written from
sentence templates in council language. Each document is mostly about one or two of 17 themes and,
within a theme, about a handful of its words, so a theme word such as "zonnepanelen" is found in a
few percent of the corpus, not in all of it; the general council words ("college", "raad",
"begroting") are everywhere. Standard library only. The same (n, seed, bodies) gives the same
records, and the first k records do not depend on n.

`QUERIES` holds the 30 fixed benchmark queries in the library's query language, each with the
facet filters of the search page. They all match documents of a corpus of a few thousand records or
more whose bodies include municipalities and at least one province (as SAMPLE_BODIES does).

    python bench/corpus.py [-n 100000] [--seed 1] [--check 20000]
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import random
import re
import sys
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# A handful of real bodies (CBS and TOOI codes) for running this module on its own; a benchmark
# passes the bodies it has loaded.
SAMPLE_BODIES: list[tuple[str, str]] = [
    ("GM0193", "Zwolle"),
    ("GM0106", "Assen"),
    ("GM0150", "Deventer"),
    ("GM0166", "Kampen"),
    ("GM0014", "Groningen"),
    ("GM0344", "Utrecht"),
    ("GM0114", "Emmen"),
    ("PV23", "Overijssel"),
    ("PV22", "Drenthe"),
    ("WS0664", "Waterschap Drents Overijsselse Delta"),
    ("WS0663", "Waterschap Vechtstromen"),
]


def _split(text: str) -> list[str]:
    """A list written as "a; b; c" (possibly over several lines)."""
    return [" ".join(item.split()) for item in text.split(";") if item.strip()]


@dataclass(frozen=True)
class Theme:
    topic: str  # the name in the managed topic list (members/migrations/0002_topics.py)
    weight: float  # how often councils deal with it, relative
    words: list[str]  # content words, most frequent first (picked with Zipf-like weights)
    partners: list[str]
    titles: list[str]


def _theme(topic: str, weight: float, *, words: str, partners: str, titles: str) -> Theme:
    return Theme(topic, weight, _split(words), _split(partners), _split(titles))


# --- vocabulary ----------------------------------------------------------------------------------

THEMES: dict[str, Theme] = {
    "wonen": _theme(
        "Wonen",
        1.6,
        words="""
            woningen; woningbouw; sociale huurwoningen; starterswoningen; huurwoningen; betaalbare woningen; het
            woningtekort; woningzoekenden; middenhuur; huurprijzen; nieuwbouw; koopwoningen; de woonvisie;
            prestatieafspraken; flexwoningen; spoedzoekers; doorstroming; seniorenwoningen; levensloopbestendige
            woningen; bouwlocaties; inbreidingslocaties; nieuwbouwprojecten; huurders; leegstand; woningdelen;
            kamerverhuur; tiny houses; mantelzorgwoningen; opkoopbescherming; de zelfbewoningsplicht;
            studentenhuisvesting; huisvesting van arbeidsmigranten; erfpacht; grondprijzen; het omgevingsplan;
            huisjesmelkers; woonwagenstandplaatsen; woonfraude; verduurzaming van huurwoningen; de woningmarkt;
            de bouwstroom; transformatie van kantoren; woonzorgcombinaties
        """,
        partners="de woningcorporaties; huurdersverenigingen; ontwikkelaars; bouwbedrijven",
        titles="""
            Betaalbare starterswoningen in de binnenstad; Meer sociale huurwoningen; Woningbouw versnellen;
            Flexwoningen voor spoedzoekers; Opkoopbescherming invoeren; Ruimte voor woningdelen;
            Seniorenwoningen in elke kern
        """,
    ),
    "zorg": _theme(
        "Zorg",
        1.3,
        words="""
            zorg; mantelzorg; mantelzorgers; wachtlijsten; de ggz; huishoudelijke hulp; thuiszorg;
            wijkverpleging; respijtzorg; dagbesteding; ouderenzorg; dementie; eenzaamheid; de wijkteams; het
            sociaal wijkteam; Wmo-voorzieningen; de eigen bijdrage; huisartsen; zorgaanbieders; zorgkosten;
            beschermd wonen; maatschappelijke opvang; dakloosheid; verslavingszorg; valpreventie; welzijnswerk;
            vrijwilligers; keukentafelgesprekken; hulpmiddelen; scootmobielen; woningaanpassingen;
            zorgboerderijen; palliatieve zorg; gezondheidsverschillen; preventie; een gezonde leefstijl; de
            gemeentepolis; mantelzorgwaardering; indicaties; buurtzorg; zorgcontinuïteit; ouderenadviseurs
        """,
        partners="zorgaanbieders; de GGD; huisartsen; welzijnsorganisaties",
        titles="""
            Ondersteuning voor mantelzorgers; Wachtlijsten in de ggz terugdringen; Geen eigen bijdrage voor
            huishoudelijke hulp; Samen tegen eenzaamheid; Respijtzorg dichtbij huis; Sterke sociale wijkteams
        """,
    ),
    "energie": _theme(
        "Energie",
        1.3,
        words="""
            de energietransitie; zonnepanelen; isolatie; warmtepompen; het warmtenet;
            warmtenetten; windmolens; zonneparken; energiebesparing; de energierekening; netcongestie; energiearmoede;
            aardgasvrije wijken; energiecoaches; het energieloket; energiecoöperaties; zon op dak; windturbines;
            het stroomnet; batterijopslag; waterstof; biogas; energielabels; duurzaamheidsleningen; lokaal
            eigendom; de regionale energiestrategie; de transitievisie warmte; bodemenergie; restwarmte;
            energieneutrale gebouwen; het energiefonds; de energietoeslag; tochtstrips; zonneboilers; groene
            stroom; duurzame opwek; energiebespaarpakketten; netbeheerders; collectieve inkoop van zonnepanelen;
            isolatiesubsidies; de warmtetransitie
        """,
        partners="de netbeheerder; energiecoöperaties; de woningcorporaties; het Energieloket",
        titles="""
            Zonnepanelen op gemeentelijke daken; Energiearmoede aanpakken; Warmtenet alleen met draagvlak;
            Energiecoaches in elke wijk; Ruimte op het stroomnet voor ondernemers; Lokaal eigendom van
            windmolens
        """,
    ),
    "klimaat": _theme(
        "Klimaat",
        1.1,
        words="""
            klimaatadaptatie; hittestress; wateroverlast; vergroening; groene daken; de klimaatdoelen; de
            CO2-uitstoot; tegelwippen; bomen; stadsbossen; de hittekaart; het klimaatakkoord; circulaire
            economie; afvalscheiding; restafval; zwerfafval; luchtkwaliteit; fijnstof; stikstof; duurzaamheid;
            duurzaam inkopen; het klimaatplan; droogte; regenwater; klimaatbestendige wijken; houtbouw;
            emissievrije bouwplaatsen; het klimaatfonds; geveltuinen; groene schoolpleinen; een
            klimaatburgerberaad; klimaatverandering; hemelwater; koelteplekken; de klimaatbegroting;
            klimaatneutraal bouwen; statiegeld; herbruikbare bekers; de afvalinzameling; het grondstoffenplan;
            klimaatrisico's
        """,
        partners="het waterschap; bewonersinitiatieven; natuurorganisaties; de omgevingsdienst",
        titles="""
            Klimaatadaptatie in de wijken; Tegels eruit, groen erin; Klimaatneutrale gemeentelijke organisatie;
            Meer bomen tegen hittestress; Circulair inkopen; Schone lucht rond scholen
        """,
    ),
    "veiligheid": _theme(
        "Veiligheid",
        1.1,
        words="""
            handhaving; overlast; ondermijning; handhavers; wijkagenten; jeugdoverlast; drugsoverlast;
            cameratoezicht; straatverlichting; woninginbraken; vuurwerk; vuurwerkvrije zones;
            drugscriminaliteit; brandveiligheid; de veiligheidsregio; de brandweer; huiselijk geweld;
            kindermishandeling; verwarde personen; radicalisering; straatintimidatie; sociale veiligheid; het
            uitgaansgebied; buurtpreventie; cybercrime; fraude; de Wet Bibob; hennepkwekerijen; het
            veiligheidsgevoel; de aangiftebereidheid; crisisbeheersing; ondermijnende criminaliteit; het
            integraal veiligheidsplan; boa's; explosies bij woningen; messenbezit; preventief fouilleren; de
            sluitingsbevoegdheid; veilig uitgaan; meldingen van overlast; de noodverordening
        """,
        partners="de politie; het Openbaar Ministerie; de veiligheidsregio; horecaondernemers",
        titles="""
            Meer handhaving in de wijken; Aanpak ondermijning; Vuurwerkvrije zones; Veilig uitgaan in de
            binnenstad; Betere straatverlichting; Zichtbare wijkagenten
        """,
    ),
    "armoede": _theme(
        "Armoede en schulden",
        1.1,
        words="""
            armoede; kinderarmoede; schulden; schuldhulpverlening; energiearmoede; vroegsignalering; het
            armoedebeleid; de minimaregelingen; bijzondere bijstand; de voedselbank; het kindpakket; de
            stadspas; bestaanszekerheid; inkomensondersteuning; de bijstand; minima; huurachterstanden;
            kwijtschelding; de meedoenregeling; de kledingbank; budgetcoaching; werkende armen; de armoedeval;
            niet-gebruik van regelingen; gedupeerden van de toeslagenaffaire; de individuele inkomenstoeslag;
            schoolkosten; het Jeugdfonds Sport en Cultuur; ervaringsdeskundigen; financiële problemen;
            financiële zorgen; schuldeisers; incassokosten; de inkomensgrens; het minimabeleid; een armoedepact;
            schuldenproblematiek; de schuldenaanpak; betalingsachterstanden; geldzorgen; gratis
            menstruatieproducten
        """,
        partners="de voedselbank; Stichting Leergeld; ervaringsdeskundigen; de kredietbank",
        titles="""
            Kinderarmoede de wereld uit; Vroegsignalering van schulden; Een ruimhartig minimabeleid; Meedoen
            voor ieder kind; Schuldhulpverlening zonder drempels; Bestaanszekerheid voorop
        """,
    ),
    "mobiliteit": _theme(
        "Verkeer en vervoer",
        1.1,
        words="""
            openbaar vervoer; fietspaden; verkeersveiligheid; laadpalen; parkeren; buslijnen; busverbindingen;
            de dienstregeling; fietsparkeren; fietsenstallingen; snelfietsroutes; fietsstraten;
            oversteekplaatsen; schoolroutes; rotondes; 30-kilometerzones; parkeertarieven; parkeervergunningen;
            de parkeergarage; deelauto's; deelfietsen; deelmobiliteit; een autoluwe binnenstad; vrachtverkeer;
            sluipverkeer; verkeerslawaai; wegonderhoud; stoepen; toegankelijkheid; doelgroepenvervoer; de
            regiotaxi; leerlingenvervoer; het stationsgebied; spoorwegovergangen; verkeerslichten;
            snelheidsremmers; zebrapaden; carpoolplaatsen; het mobiliteitsplan; bereikbaarheid; mobiliteitshubs;
            de N-wegen
        """,
        partners="de vervoerder; de Fietsersbond; Veilig Verkeer Nederland; de provincie",
        titles="""
            Veilige schoolroutes; Behoud van buslijnen in de kernen; Meer laadpalen in de wijken; Een autoluwe
            binnenstad; Snelfietsroute naar het station; Gratis openbaar vervoer voor ouderen
        """,
    ),
    "onderwijs": _theme(
        "Onderwijs",
        0.9,
        words="""
            onderwijs; scholen; basisscholen; schoolgebouwen; onderwijshuisvesting; het lerarentekort;
            thuiszitters; voortijdig schoolverlaten; vroegschoolse educatie; kinderopvang; kindcentra; passend
            onderwijs; onderwijsachterstanden; laaggeletterdheid; taallessen; inburgering; volwasseneneducatie;
            het mbo; stages; leerwerkplekken; schoolzwemmen; schoolmaaltijden; de gezonde school; brede scholen;
            schoolpleinen; ventilatie in scholen; frisse scholen; huiswerkbegeleiding; zomerscholen;
            leesbevordering; techniekonderwijs; de lokale onderwijsagenda; het schooladvies; gelijke kansen;
            kansengelijkheid; het integraal huisvestingsplan; leerplicht; peuteropvang; het
            onderwijsachterstandenbeleid; de leerplichtambtenaar; de overgang naar het vo
        """,
        partners="de schoolbesturen; de kinderopvang; het mbo; de bibliotheek",
        titles="""
            Gezonde schoolmaaltijden; Frisse scholen; Aanpak van het lerarentekort; Gelijke kansen in het
            onderwijs; Thuiszitters weer naar school; Investeren in schoolgebouwen
        """,
    ),
    "cultuur": _theme(
        "Cultuur",
        0.7,
        words="""
            cultuur; de bibliotheek; erfgoed; monumenten; kunst; kunstenaars; musea; het theater; het poppodium;
            muziekonderwijs; cultuureducatie; amateurkunst; rijksmonumenten; archeologie; festivals;
            evenementen; het evenementenbeleid; ateliers; broedplaatsen; cultuursubsidies; kunst in de openbare
            ruimte; dorpshuizen; cultuurparticipatie; carnaval; herdenkingen; het stadsarchief; de streektaal;
            cultuurhistorie; de cultuurnota; het filmhuis; de muziekschool; jongerencultuur; cultureel erfgoed;
            makers; de creatieve sector; kunstroutes; het cultuurhuis; de Bibliotheekwet; oorlogsmonumenten;
            immaterieel erfgoed; de cultuurkaart
        """,
        partners="culturele instellingen; de bibliotheek; het erfgoedplatform; kunstenaars",
        titles="""
            Behoud van de bibliotheek; Cultuureducatie voor ieder kind; Ruimte voor broedplaatsen; Erfgoed beter
            beschermen; Een bruisend evenementenbeleid; Kunst in de openbare ruimte
        """,
    ),
    "sport": _theme(
        "Sport",
        0.7,
        words="""
            sport; sportverenigingen; het zwembad; sportaccommodaties; sporthallen; sportvelden;
            kunstgrasvelden; rubbergranulaat; het sportakkoord; buurtsportcoaches; het beweegaanbod;
            sportdeelname; breedtesport; topsport; aangepast sporten; beweegtuinen; openbare sportvoorzieningen;
            de skatebaan; pannakooien; trapveldjes; sporttarieven; huurtarieven; sportkantines; vrijwilligers in
            de sport; de sportnota; sportparken; de atletiekbaan; voetbalclubs; zwemles; ommetjes; wandelroutes;
            sportevenementen; bewegen; sportstimulering; een sportieve leefstijl; de kantinecultuur; de
            sportraad; sportparticipatie; zwemvaardigheid; de ijsbaan; duurzame sportaccommodaties
        """,
        partners="sportverenigingen; de sportraad; scholen; de buurtsportcoaches",
        titles="""
            Betaalbare sportverenigingen; Een nieuw zwembad; Buurtsportcoaches in elke wijk; Sporten zonder
            drempels; Duurzame sportaccommodaties; Zwemles voor ieder kind
        """,
    ),
    "economie": _theme(
        "Economie en werk",
        0.9,
        words="""
            ondernemers; werkgelegenheid; de binnenstad; bedrijventerreinen; de arbeidsmarkt; winkelgebieden;
            leegstand van winkels; het mkb; de participatiewet; re-integratie; werkzoekenden; beschut werk;
            statushouders aan het werk; arbeidsmigranten; toerisme; recreatie; de horeca; de weekmarkt;
            koopzondagen; het ondernemersfonds; de bedrijveninvesteringszone; startups; innovatie; de regionale
            economie; de economische agenda; het vestigingsklimaat; logistiek; distributiecentra; de
            detailhandel; stageplekken; het ondernemersloket; aanbestedingen; social return; lokale ondernemers;
            de reclamebelasting; werklocaties; de banenafspraak; de sociale werkvoorziening; acquisitie; de
            middenstand; werkervaringsplaatsen
        """,
        partners="ondernemersverenigingen; het UWV; de Kamer van Koophandel; het werkbedrijf",
        titles="""
            Een levendige binnenstad; Ruimte voor lokale ondernemers; Aanpak leegstand in winkelgebieden; Werk
            voor statushouders; Social return bij aanbestedingen; Toekomst voor de weekmarkt
        """,
    ),
    "digitalisering": _theme(
        "Digitalisering",
        0.6,
        words="""
            digitalisering; glasvezel; privacy; algoritmen; het algoritmeregister; informatiebeveiliging;
            digitale dienstverlening; datalekken; digitale inclusie; digitale vaardigheden; breedband; mobiel
            bereik; open data; open source; de cloud; cyberveiligheid; cyberaanvallen; DigiD; eHerkenning; de
            chatbot; kunstmatige intelligentie; sensoren; slimme lantaarnpalen; datagedreven werken;
            gegevensbescherming; de functionaris gegevensbescherming; archivering; Woo-verzoeken; openbaarheid;
            de informatiehuishouding; digitale toegankelijkheid; ICT-kosten; softwareleveranciers;
            datasoevereiniteit; het digitale loket; digitale weerbaarheid; persoonsgegevens; snel internet; het
            Digitaal Hulpplein; de Informatiepunten Digitale Overheid; wifi in de bibliotheek
        """,
        partners="de bibliotheek; ICT-leveranciers; de Autoriteit Persoonsgegevens; glasvezelaanbieders",
        titles="""
            Snel internet in het buitengebied; Een openbaar algoritmeregister; Digitale inclusie; Privacy van
            inwoners beschermen; Open source waar het kan; Dienstverlening ook aan de balie
        """,
    ),
    "participatie": _theme(
        "Democratie en bestuur",
        0.7,
        words="""
            inwonersparticipatie; een burgerberaad; inspraak; wijkraden; dorpsraden; buurtbudgetten;
            wijkbudgetten; het right to challenge; een referendum; het burgerinitiatief; een kinderraad; de
            jongerenraad; wijkgericht werken; de participatieverordening; de adviesraad sociaal domein;
            overheidsparticipatie; bewonersinitiatieven; buurtcoöperaties; loting; gelote inwoners; het
            inwonerspanel; enquêtes; stadsgesprekken; dorpsgesprekken; democratische vernieuwing;
            raadsinformatieavonden; integriteit; de lokale democratie; betrokkenheid van inwoners; vertrouwen in
            de overheid; bewonersavonden; de jeugdgemeenteraad; de opkomst bij verkiezingen; het
            participatieplan; inwonersavonden; de spreekrechtregeling; de kernenaanpak; gebiedsgericht werken;
            wijkwethouders; het coalitieakkoord
        """,
        partners="wijkraden; dorpsraden; bewonersorganisaties; de adviesraad",
        titles="""
            Een burgerberaad; Wijkbudgetten voor bewoners; Een kinderraad; Right to challenge; Inwoners eerder
            betrekken; Vertrouwen in de lokale democratie
        """,
    ),
    "financien": _theme(
        "Financiën",
        1.0,
        words="""
            de begroting; de financiële positie; de ozb; de algemene reserve; het gemeentefonds; het ravijnjaar;
            bezuinigingen; de voorjaarsnota; de jaarrekening; de afvalstoffenheffing; de rioolheffing; de
            lastendruk; het weerstandsvermogen; bestemmingsreserves; de kadernota; de najaarsnota; de
            toeristenbelasting; leges; tarieven; ombuigingen; structurele tekorten; incidentele middelen; het
            investeringsplan; kapitaallasten; de schuldpositie; treasury; de rekenkamer; de accountant; de
            financiële verordening; de meerjarenraming; verbonden partijen; gemeenschappelijke regelingen;
            risicomanagement; subsidies; het subsidieplafond; grondexploitaties; de financiële ruimte; de
            rijksbijdragen; de onroerendezaakbelasting; de programmabegroting; de dekking
        """,
        partners="de accountant; de rekenkamer; de verbonden partijen; de regiogemeenten",
        titles="""
            Een sluitende begroting; Geen verhoging van de ozb; Zorgvuldig omgaan met reserves; Voorbereid op
            het ravijnjaar; Lastendruk beperken; Grip op verbonden partijen
        """,
    ),
    "natuur": _theme(
        "Landbouw en natuur",
        0.8,
        words="""
            biodiversiteit; natuur; bomenkap; bermbeheer; het groenbeleid; natuurbeheer; kapvergunningen; de
            herplantplicht; het bomenbeleid; natuurinclusief bouwen; ecologische verbindingszones; het
            maaibeleid; bloemrijke bermen; insecten; bijen; weidevogels; Natura 2000-gebieden;
            stikstofdepositie; agrarisch natuurbeheer; boeren; de landbouw; kringlooplandbouw; het landschap;
            houtwallen; voedselbossen; stadslandbouw; volkstuinen; dierenwelzijn; kinderboerderijen; invasieve
            exoten; de eikenprocessierups; natuurspeelplaatsen; stadsparken; groenonderhoud; natuurcompensatie;
            ganzen; de wolf; landschapselementen; het buitengebied; bestrijdingsmiddelen; het Nationaal
            Programma Landelijk Gebied
        """,
        partners="agrariërs; natuurorganisaties; de terreinbeheerders; het waterschap",
        titles="""
            Meer biodiversiteit in de bermen; Een sterk bomenbeleid; Ruimte voor voedselbossen; Bestrijding van
            de eikenprocessierups; Natuurinclusief bouwen; Bescherming van weidevogels
        """,
    ),
    "water": _theme(
        "Water",
        0.7,
        words="""
            waterkwaliteit; dijkversterking; hoogwater; waterberging; riolering; grondwater; waterveiligheid;
            dijken; overstromingen; regenwaterafvoer; het afkoppelen van regenwater; de grondwaterstand;
            verdroging; retentiegebieden; sloten; watergangen; baggeren; kaden; gemalen; rioolwaterzuivering;
            medicijnresten; PFAS; microplastics; drinkwater; zwemwater; blauwalg; het waterpeil; het
            peilbesluit; beekherstel; ruimte voor de rivier; uiterwaarden; waterbewustzijn; de watertoets;
            kwelwater; de zoetwatervoorziening; het watersysteem; de waterschapsbelasting; de Kaderrichtlijn
            Water; oeverherstel; waterbesparing; het rioleringsplan
        """,
        partners="het waterschap; Rijkswaterstaat; het drinkwaterbedrijf; de gemeenten in het beheergebied",
        titles="""
            Schoon oppervlaktewater; Voorbereid op hoogwater; Minder wateroverlast bij hevige buien; Zuinig met
            drinkwater; Ruimte voor waterberging; Sterke dijken
        """,
    ),
    "jeugd": _theme(
        "Jeugd",
        1.0,
        words="""
            jeugdzorg; jongeren; jeugdhulp; jongerenwerk; wachtlijsten in de jeugdzorg; jeugdbescherming; het
            jongerencentrum; hangplekken; het centrum voor jeugd en gezin; het consultatiebureau;
            opvoedondersteuning; gezinscoaches; pleegzorg; gesloten jeugdzorg; jeugdzorgaanbieders; het
            jeugdbudget; tekorten in de jeugdzorg; praktijkondersteuners jeugd; mentale gezondheid;
            prestatiedruk; eenzaamheid onder jongeren; speeltuinen; speelplekken; kinderrechten;
            jeugdparticipatie; kwetsbare gezinnen; vechtscheidingen; jonge mantelzorgers; alcohol en drugs onder
            jongeren; het preventieakkoord; een rookvrije generatie; schoolmaatschappelijk werk; de
            jeugdgezondheidszorg; jeugdcriminaliteit; het jeugdwerk; de regionale inkoop van jeugdzorg; de
            Jeugdwet; kinderen in armoede; jongerenhuisvesting; de overgang naar volwassenheid; zwerfjongeren
        """,
        partners="jeugdzorgaanbieders; de scholen; het jongerenwerk; de huisartsen",
        titles="""
            Wachtlijsten in de jeugdzorg; Een jongerencentrum in elke wijk; Aandacht voor mentale gezondheid van
            jongeren; Jongerenwerk op straat; Speelplekken voor alle kinderen; Steun voor jonge mantelzorgers
        """,
    ),
}

# Which themes each tier mostly deals with (a province does not run the jeugdzorg).
TIER_THEMES = {
    "municipal": list(THEMES),
    "provincial": _split(
        "energie; klimaat; natuur; mobiliteit; economie; cultuur; wonen; water; financien; participatie; digitalisering"
    ),
    "water_board": _split("water; klimaat; natuur; financien; participatie; digitalisering; energie"),
}

# Sentence templates. {a} and {b} are content words of the document's themes, used as objects (never
# as the subject of a verb: they may be singular or plural); {p} a place, {r} a partner, {o} the
# organisation, {c} its executive, {x} its assembly, {w} the executive member, {y} an earlier year,
# {d} a deadline, {n} a percentage, {m} an amount, {k} a decision point.
CONSIDERING = [
    "{o} op dit moment onvoldoende investeert in {a} en {b}",
    "uit de laatste monitor blijkt dat de vraag naar {a} {p} sterk is toegenomen",
    "inwoners, ondernemers en maatschappelijke organisaties zich zorgen maken over {a}",
    "de kosten van {a} sinds {y} met ruim {n} procent zijn gestegen",
    "er {p} nog steeds te weinig aandacht is voor {a}",
    "het Rijk extra middelen beschikbaar stelt voor {a} en {b}",
    "de rekenkamer in {y} kritisch heeft gerapporteerd over {a}",
    "meerdere fracties bij de behandeling van de begroting aandacht hebben gevraagd voor {a}",
    "de huidige regeling voor {a} in de praktijk slecht aansluit bij de behoefte van inwoners",
    "de wachttijden rond {a} de afgelopen jaren fors zijn opgelopen",
    "in de regio goede ervaringen zijn opgedaan met {a}",
    "het beleid rond {a} sinds {y} niet meer is geëvalueerd",
    "veel inwoners niet weten waar zij terechtkunnen met vragen over {a}",
    "er signalen zijn dat {a} en {b} {p} onder druk staan",
]
WHEREAS = [
    "aandacht voor {a} bijdraagt aan een gezonde, veilige en leefbare omgeving",
    "het van belang is dat inwoners kunnen rekenen op een goede aanpak van {a}",
    "een samenhangende aanpak van {a} en {b} op termijn kosten bespaart",
    "vroegtijdig ingrijpen bij {a} voorkomt dat problemen verder oplopen",
    "inwoners mogen verwachten dat {o} een betrouwbare partner is als het gaat om {a}",
    "het aan de volksvertegenwoordiging is om heldere kaders te stellen voor {a}",
    "investeren in {a} zich op langere termijn terugbetaalt",
    "de toegang tot {a} niet mag afhangen van de dikte van de portemonnee",
    "samenwerking met {r} de slagingskans van de aanpak van {a} vergroot",
    "de doelen uit het coalitieakkoord voor {a} anders niet worden gehaald",
    "er binnen de bestaande budgetten ruimte is om {a} te versterken",
    "goede voorbeelden elders in het land laten zien dat een aanpak van {a} ook {p} kan werken",
]
REQUESTS = [
    "in overleg met {r} {d} met een plan van aanpak voor {a} te komen",
    "te onderzoeken hoe {a} kan worden uitgebreid en de uitkomsten {d} met {x} te delen",
    "binnen de bestaande begroting middelen vrij te maken voor {a}",
    "bij de voorjaarsnota een voorstel te doen voor {a} en {b}",
    "een pilot met {a} te starten {p} en deze na een jaar te evalueren",
    "{x} jaarlijks te informeren over de voortgang op het gebied van {a}",
    "{a} een vaste plek te geven in de uitvoeringsagenda",
    "samen met {r} te zorgen voor voldoende aandacht voor {a}",
    "de regels rond {a} te vereenvoudigen en drempels voor inwoners weg te nemen",
    "in gesprek te gaan met {r} over {a} en {x} {d} te informeren over de uitkomst",
]
EXPLANATION = [
    "De afgelopen jaren is gebleken dat {a} en {b} nauw met elkaar samenhangen.",
    "Volgens {w} is er ruimte om {a} beter te organiseren, maar ontbreekt het aan capaciteit.",
    "In de commissie is uitgebreid gesproken over {a}.",
    "Onze fractie vindt dat de aanpak van {a} een hogere prioriteit verdient.",
    "Het gaat daarbij nadrukkelijk ook om {a} {p}.",
    "Met dit voorstel willen wij {c} een duidelijke opdracht meegeven op het gebied van {a}.",
    "De financiële gevolgen zijn naar verwachting beperkt en kunnen worden gedekt uit de algemene reserve.",
    "Inwoners hebben ons de afgelopen maanden regelmatig aangesproken over {a}.",
    "In {y} is ongeveer {m} euro uitgegeven aan {a}, terwijl de behoefte veel groter is.",
    "Andere overheden laten zien dat de aanpak van {a} met relatief weinig middelen kan worden verbeterd.",
    "Tijdens een werkbezoek {p} werd duidelijk hoe groot de opgave rond {a} is.",
    "Daarom stellen wij voor om {a} en {b} in samenhang te bekijken.",
    "Ook partners zoals {r} hebben aangegeven dat er meer aandacht moet komen voor {a}.",
    "Wij vragen {c} om hierbij de ervaringen van inwoners te betrekken.",
    "Uit cijfers van het CBS blijkt dat steeds meer huishoudens {p} te maken hebben met {a}.",
    "Eerder is in {y} al uitgesproken dat wij het onderwerp {a} belangrijk vinden.",
    "Het is niet uit te leggen dat er {p} zo weinig gebeurt op het gebied van {a}.",
    "Bij de bespreking van de begroting heeft {w} toegezegd te kijken naar {a}.",
    "Wij willen voorkomen dat {a} en {b} tegen elkaar worden uitgespeeld.",
    "Dat vraagt om een lange adem en om duidelijke afspraken met {r}.",
    "Er is in {y} een eerste stap gezet, maar de resultaten op het gebied van {a} blijven achter.",
    "Wij horen van {r} dat de druk op {a} toeneemt.",
    "Juist {p} is de behoefte aan een goede aanpak van {a} groot.",
    "Het ontbreekt nu aan een duidelijk overzicht van de inzet op {a}.",
    "Onze fractie heeft hierover eerder vragen gesteld, maar de antwoorden gaven weinig houvast.",
    "Een structurele oplossing voor {a} vraagt om samenwerking tussen {o}, {r} en inwoners.",
    "Uit de evaluatie van {y} blijkt dat de doelen voor {a} niet zijn gehaald.",
    "Dit sluit aan bij de ambities uit het coalitieakkoord over {a} en {b}.",
    "De kosten hiervan worden geraamd op {m} euro per jaar.",
    "Wij realiseren ons dat er ook andere prioriteiten zijn, maar de aanpak van {a} kan niet langer wachten.",
    "Met relatief kleine maatregelen kan {o} veel bereiken op het gebied van {a}.",
    "Het gaat hier om een onderwerp dat veel inwoners direct raakt.",
    "Een goede aanpak van {a} voorkomt bovendien hogere kosten op andere terreinen, zoals {b}.",
    "In de praktijk blijkt dat de regels rond {a} vaak onnodig ingewikkeld zijn.",
    "Daarbij is het belangrijk om ook de ervaringen met {b} mee te nemen.",
    "Wij zien dat er bij {r} veel kennis aanwezig is over {a}.",
    "Op dit moment is het budget voor {a} grotendeels uitgeput.",
    "Zonder extra inzet dreigt {p} een achterstand op het gebied van {a}.",
]
QUESTIONS = [
    "Bent u bekend met de berichtgeving over {a} {p}?",
    "Hoeveel inwoners hadden in {y} te maken met {a}?",
    "Deelt u de mening dat de aanpak van {a} een hogere prioriteit verdient? Zo nee, waarom niet?",
    "Welke maatregelen neemt u om {a} te verbeteren?",
    "Bent u bereid om met {r} in gesprek te gaan over {a}?",
    "Wanneer kunnen wij een voorstel verwachten over {a}?",
    "Welke financiële gevolgen heeft dit voor {a}?",
    "Hoe verhoudt dit zich tot de afspraken over {a} in het coalitieakkoord?",
    "Kunt u aangeven hoeveel budget er in {y} beschikbaar is voor {a}?",
    "Welke rol ziet u voor {r} als het gaat om {a}?",
    "Bent u bereid {x} {d} te informeren over {a}?",
]
ANSWERS = [
    "Ja, wij zijn bekend met de signalen over {a}.",
    "In {y} is ongeveer {m} euro besteed aan {a}.",
    "Wij delen de mening dat er meer aandacht moet komen voor {a} en nemen dit mee in de uitvoering.",
    "Op dit moment loopt er een verkenning naar {a}; wij verwachten de resultaten {d}.",
    "Wij zijn regelmatig in gesprek met {r} over {a}.",
    "De financiële gevolgen voor {a} worden meegenomen in de voorjaarsnota.",
    "Nee, wij zien op dit moment geen aanleiding om het beleid rond {a} te wijzigen.",
    "Wij verwachten {x} {d} nader te informeren over {a}.",
    "Voor {a} is in de begroting van {y} een bedrag van {m} euro opgenomen.",
    "Samen met {r} werken wij aan een plan voor {a}.",
]
CHANGES = [
    'In beslispunt {k} wordt "{a}" vervangen door "{a} en {b}".',
    'Aan het besluit wordt een beslispunt toegevoegd: "{c} op te dragen extra middelen vrij te maken voor {a}".',
    "Het budget voor {a} wordt met {m} euro verhoogd, te dekken uit de algemene reserve.",
    "Beslispunt {k} komt te vervallen.",
    'In beslispunt {k} wordt na "vast te stellen" toegevoegd: "met dien verstande dat {a} voorrang krijgt".',
]
TITLE_PATTERNS = [
    "Meer aandacht voor {a}",
    "Werk maken van {a}",
    "Heldere afspraken over {a}",
    "Een toekomstbestendige aanpak van {a}",
    "Een plan van aanpak voor {a}",
]

# What an amendment changes (after "Raadsvoorstel", "Statenvoorstel"...).
PROPOSALS = _split(
    "Programmabegroting {y}; Voorjaarsnota {y}; Kadernota {y}; Beleidsnota {t}; Uitvoeringsprogramma {t} {y};"
    " Verordening {t} {y}"
)
SUBJECTS = _split(
    "Programmabegroting {y}; Voorjaarsnota {y}; Kadernota {y}; Jaarrekening {y}; Vreemd aan de orde van de dag; {t};"
    " Beleidskader {t}"
)
MUNICIPAL_PLACES = _split(
    "in de binnenstad; in de wijken; in de kleine kernen; in de dorpen; in het buitengebied; in de nieuwbouwwijken;"
    " in de oudere wijken; in {name}"
)
PROVINCIAL_PLACES = _split("in de regio; op het platteland; in {name}; in de steden en dorpen van {name}")
WATER_PLACES = _split("in het beheergebied; langs de rivieren; in de polders; in het stedelijk gebied")

NATIONAL_PARTIES = _split(
    "VVD; PvdA; GroenLinks; D66; CDA; ChristenUnie; SP; Partij voor de Dieren; SGP; BBB; Volt; JA21; PVV; 50PLUS; DENK"
)
WATER_PARTIES = _split(
    "Water Natuurlijk; AWP; VVD; CDA; BBB; PvdA; GroenLinks; Partij voor de Dieren; ChristenUnie; SGP; Ongebouwd;"
    " Bedrijven; Natuurterreinen"
)
LOCAL_PARTY_PATTERNS = _split("Lokaal {name}; Gemeentebelangen {name}; Leefbaar {name}; Stadspartij {name}")
SURNAMES = _split(
    """
    de Vries; van Dijk; Jansen; Bakker; Visser; Smit; Meijer; de Boer; Mulder; de Groot; Bos; Vos; Peters;
    Hendriks; van Leeuwen; Dekker; Brouwer; de Wit; Dijkstra; Smits; de Graaf; van der Meer; van der Linden; Kok;
    Jacobs; de Haan; Vermeulen; van den Berg; van der Heijden; Schouten; van Beek; Willems; van Vliet; van de Ven;
    Hoekstra; Maas; Verhoeven; Koster; van Dam; van der Wal; Prins; Blom; Huisman; de Jong; Postma; Yilmaz;
    El Amrani; Kaya; Öztürk; Bouali; Pinas; Nguyen; Wijaya; Çelik; Haddou
    """
)
INITIALS = "ABCDEFGHIJKLMNPRSTWY"
MONTHS = [
    "",
    *_split("januari; februari; maart; april; mei; juni; juli; augustus; september; oktober; november; december"),
]
# (share, Dutch, English); the rest has no result.
RESULTS = [
    (0.47, "aangenomen", "adopted"),
    (0.33, "verworpen", "rejected"),
    (0.08, "ingetrokken", "withdrawn"),
    (0.05, "aangehouden", "held over"),
]
AMOUNTS = _split("25.000; 50.000; 75.000; 100.000; 150.000; 250.000; 400.000; 500.000; 750.000; 1,2 miljoen; 2 miljoen")

FIRST_DAY = datetime.date(2014, 1, 1).toordinal()
LAST_DAY = datetime.date(2026, 12, 31).toordinal()
ID_PREFIX = "https://id.example.org/bench/"


def _summer_time(year: int) -> tuple[int, int]:
    """First ordinal of CEST and first ordinal after it: last Sunday of March to last Sunday of October."""
    march, october = datetime.date(year, 3, 31), datetime.date(year, 10, 31)
    return march.toordinal() - (march.weekday() + 1) % 7, october.toordinal() - (october.weekday() + 1) % 7


SUMMER_TIME = {year: _summer_time(year) for year in range(2014, 2027)}


def _zipf(count: int, exponent: float = 0.8) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


class _Body:
    """What the generator needs to know about one council."""

    def __init__(self, code: str, name: str) -> None:
        checksum = zlib.crc32(code.encode())
        short = name.removeprefix("Gemeente ").removeprefix("Provincie ")
        self.code, self.short = code, short
        prefix = code[:2].upper()
        if prefix == "GM":
            self.tier = "municipal"
            self.org = {"name": f"Gemeente {short}", "identifier": code}
            self.header = f"De raad van de gemeente {short}"
            self.request, self.closing = "verzoekt het college:", "en gaat over tot de orde van de dag."
            self.organ, self.executive, self.assembly, self.official = (
                "de gemeente",
                "het college",
                "de raad",
                "de wethouder",
            )
            self.places = [p.format(name=short) for p in MUNICIPAL_PLACES]
            self.parties = [*NATIONAL_PARTIES[:10], LOCAL_PARTY_PATTERNS[checksum % 4].format(name=short)]
            self.seats = 19 + 2 * (checksum % 14)  # 19..45
            self.proposal, self.questions, self.answerer = "Raadsvoorstel", "Schriftelijke vragen", "het college"
        elif prefix == "PV":
            self.tier = "provincial"
            self.org = {"name": f"Provincie {short}", "identifier": code}
            self.header = f"Provinciale Staten van {short}"
            # The Staten are plural: "verzoeken", "gaan over".
            self.request = "verzoeken het college van Gedeputeerde Staten:"
            self.closing = "en gaan over tot de orde van de dag."
            self.organ, self.executive, self.assembly, self.official = (
                "de provincie",
                "Gedeputeerde Staten",
                "Provinciale Staten",
                "de gedeputeerde",
            )
            self.places = [p.format(name=short) for p in PROVINCIAL_PLACES]
            self.parties = NATIONAL_PARTIES
            self.seats = 39 + 2 * (checksum % 9)  # 39..55
            self.proposal, self.questions, self.answerer = "Statenvoorstel", "Statenvragen", "Gedeputeerde Staten"
        else:
            self.tier = "water_board"
            self.org = {"name": name, "identifier": code}
            self.header = f"Het algemeen bestuur van {name}"
            self.request, self.closing = "verzoekt het dagelijks bestuur:", "en gaat over tot de orde van de dag."
            self.organ, self.executive, self.assembly, self.official = (
                "het waterschap",
                "het dagelijks bestuur",
                "het algemeen bestuur",
                "de portefeuillehouder",
            )
            self.places = WATER_PLACES
            self.parties = WATER_PARTIES
            self.seats = 21 + 2 * (checksum % 5)  # 21..29
            self.proposal, self.questions, self.answerer = (
                "Bestuursvoorstel",
                "Schriftelijke vragen",
                "het dagelijks bestuur",
            )
        self.themes = TIER_THEMES[self.tier]
        self.theme_weights = list(itertools.accumulate(THEMES[t].weight for t in self.themes))


class _Generator:
    def __init__(self, seed: int, bodies: list[tuple[str, str]]) -> None:
        if not bodies:
            raise ValueError("records() needs at least one body (code, name)")
        self.rng = random.Random(seed)
        self.bodies = [_Body(code, name) for code, name in bodies]
        self.vocab = {key: (theme.words, _zipf(len(theme.words))) for key, theme in THEMES.items()}
        # Earlier written questions (for answers) and proposals (for amendments), per generator.
        self.open_questions: list[tuple[str, _Body, str, str, int]] = []
        self.proposals: list[str] = []

    def _date(self, after: int | None = None) -> tuple[datetime.date, str]:
        rng = self.rng
        # An answer comes two to eight weeks after the questions.
        ordinal = rng.randint(FIRST_DAY, LAST_DAY) if after is None else min(LAST_DAY, after + rng.randint(14, 56))
        weekday = (ordinal + 6) % 7  # Monday is 0
        if weekday >= 5:
            # Councils meet on weekdays: a weekday of the same week.
            ordinal = max(FIRST_DAY, ordinal + rng.randint(0, 4) - weekday)
        day = datetime.date.fromordinal(ordinal)
        if rng.random() < 0.7:
            return day, day.isoformat()
        start, end = SUMMER_TIME[day.year]
        offset = "+02:00" if start <= ordinal < end else "+01:00"
        return day, f"{day.isoformat()}T{rng.choice(('19:30', '20:00', '14:00', '10:00'))}:00{offset}"

    def _people(self, body: _Body) -> tuple[list[Any], list[str]]:
        rng = self.rng
        parties = rng.sample(body.parties, rng.choice((1, 1, 1, 2, 2, 3)))
        as_objects = rng.random() < 0.4
        creators: list[Any] = []
        for party in parties[: rng.choice((1, 1, 2))]:
            name = f"{rng.choice(INITIALS)}. {rng.choice(SURNAMES)}"
            creators.append({"name": name, "party": party} if as_objects else f"{name} ({party})")
        return creators, parties

    def _votes(self, body: _Body, adopted: bool) -> Any:
        rng = self.rng
        present = body.seats - rng.choice((0, 0, 1, 2))
        majority = present // 2 + 1
        won = majority + int((present - majority + 1) * rng.random() ** 1.5)  # close votes more often
        votes_for, against = (won, present - won) if adopted else (present - won, won)
        if rng.random() < 0.5:
            return {"for": votes_for, "against": against}
        return [{"option": "yes", "value": votes_for}, {"option": "no", "value": against}]

    def _result(self) -> str | None:
        roll = self.rng.random()
        for share, dutch, english in RESULTS:
            if roll < share:
                return english if self.rng.random() < 0.25 else dutch
            roll -= share
        return None

    def record(self, i: int) -> dict[str, Any]:
        rng = self.rng
        random_ = rng.random
        roll = random_()
        if roll < 0.60:
            kind = "Motion"
        elif roll < 0.80:
            kind = "Amendment"
        elif roll < 0.95:
            kind = "WrittenQuestions"
        elif roll < 0.975 and self.open_questions:
            kind = "Answer"
        else:
            kind = rng.choice(("InitiativeProposal", "Document", "MediaObject"))

        answered = None
        if kind == "Answer":
            answered = self.open_questions.pop(rng.randrange(len(self.open_questions)))
            body, primary = answered[1], answered[3]
        else:
            body = self.bodies[rng.randrange(len(self.bodies))]
            primary = rng.choices(body.themes, cum_weights=body.theme_weights)[0]
        secondary = rng.choice(body.themes) if random_() < 0.4 else primary
        themes = [primary] if secondary == primary else [primary, secondary]
        theme = THEMES[primary]

        # Skewed length: median about 300 words, between 150 and 900.
        target = min(900, max(150, int(math.exp(rng.gauss(5.62, 0.45)))))
        # A document is about a few words of its theme (and fewer of the second one).
        words, cum = self.vocab[primary]
        focus = rng.choices(words, cum_weights=cum, k=10)
        slots = target // 6 + 12
        nouns = rng.choices(focus, k=slots)
        if secondary != primary:
            words2, cum2 = self.vocab[secondary]
            nouns[1::3] = rng.choices(rng.choices(words2, cum_weights=cum2, k=5), k=len(nouns[1::3]))
        noun_iter = itertools.cycle(nouns)
        day, date_text = self._date(answered[4] if answered else None)
        year = day.year
        places, partners = body.places, theme.partners
        ctx = {
            "o": body.organ,
            "c": body.executive,
            "x": body.assembly,
            "w": body.official,
            "y": year - rng.randint(1, 4),
            "n": rng.choice((8, 10, 12, 15, 20, 25, 30, 40)),
            "m": rng.choice(AMOUNTS),
            "k": rng.randint(1, 5),
            "d": rng.choice(
                (
                    f"voor 1 juli {year + 1}",
                    f"voor de zomer van {year + 1}",
                    f"voor het einde van {year}",
                    f"bij de voorjaarsnota {year + 1}",
                    "binnen zes maanden",
                )
            ),
        }

        def fill(templates: list[str], count: int) -> list[str]:
            out = []
            for template in rng.sample(templates, count):
                ctx["a"] = next(noun_iter)
                ctx["b"] = next(noun_iter)
                ctx["p"] = places[int(random_() * len(places))]
                ctx["r"] = partners[int(random_() * len(partners))]
                out.append(template.format_map(ctx))
            return out

        if answered is not None:
            phrase = answered[2]
        else:
            # A title of the theme, or one made of the document's main word.
            pattern = rng.choice(theme.titles) if random_() < 0.6 else rng.choice(TITLE_PATTERNS)
            phrase = pattern.format(a=nouns[0])
            if random_() < 0.15 and body.tier != "water_board":
                phrase += f" in {body.short}"
            phrase = phrase[0].upper() + phrase[1:]
        lower = phrase if phrase[:2].isupper() else phrase[0].lower() + phrase[1:]
        meeting = f"{body.header}, in vergadering bijeen op {day.day} {MONTHS[day.month]} {year},"

        # The parts of the text; explanatory paragraphs go in at `more` until the length is reached.
        proposal = ""
        if kind == "Motion":
            title = f"Motie {phrase}"
            parts = [meeting, "", "constaterende dat:"]
            parts += [f"- {s};" for s in fill(CONSIDERING, rng.randint(2, 4))]
            parts += ["", "overwegende dat:"]
            parts += [f"- {s};" for s in fill(WHEREAS, rng.randint(2, 4))]
            parts += ["", body.request]
            parts += [f"{n}. {s};" for n, s in enumerate(fill(REQUESTS, rng.randint(1, 4)), 1)]
            parts += ["", body.closing]
            more, heading = len(parts), "Toelichting"
        elif kind == "Amendment":
            title = f"Amendement {phrase}"
            proposal = f"{body.proposal} {rng.choice(PROPOSALS).format(y=year + 1, t=theme.topic)}"
            parts = [
                meeting,
                f"besprekende het {proposal[0].lower()}{proposal[1:]},",
                "",
                "besluit het ontwerpbesluit als volgt te wijzigen:",
            ]
            parts += fill(CHANGES, rng.randint(1, 3))
            more, heading = len(parts), "Toelichting"
        elif kind == "WrittenQuestions":
            title = f"{body.questions} over {lower}"
            parts = [f"{body.questions} ex artikel {rng.randint(36, 48)} van het Reglement van orde", ""]
            parts += [f"Onderwerp: {lower}", "", " ".join(fill(EXPLANATION, rng.randint(2, 4)))]
            more, heading = len(parts), ""
            parts += [""] + [f"{n}. {s}" for n, s in enumerate(fill(QUESTIONS, rng.randint(3, 9)), 1)]
        elif kind == "Answer":
            title = f"Beantwoording {body.questions.lower()} over {lower}"
            parts = [f"Antwoord van {body.answerer} op de {body.questions.lower()} over {lower}.", ""]
            parts += [f"{n}. {s}" for n, s in enumerate(fill(ANSWERS, rng.randint(3, 8)), 1)]
            more, heading = len(parts), "Toelichting"
        elif kind in ("InitiativeProposal", "Document"):
            title = f"{'Initiatiefvoorstel' if kind == 'InitiativeProposal' else body.proposal} {phrase}"
            parts = ["Voorgesteld besluit:"]
            parts += [f"{n}. {s};" for n, s in enumerate(fill(REQUESTS, rng.randint(2, 4)), 1)]
            more, heading = len(parts), "Toelichting"
        else:
            title = f"Informatiebrief {phrase}"
            parts = [f"Met deze brief informeren wij {body.assembly} over {lower}."]
            more, heading = len(parts), ""
        count = sum(part.count(" ") + 1 for part in parts)
        paragraphs = []
        while count < target:
            paragraph = " ".join(fill(EXPLANATION, rng.randint(3, 6)))
            paragraphs.append(paragraph)
            count += paragraph.count(" ") + 1
        if paragraphs:
            parts[more:more] = ["", heading, "\n\n".join(paragraphs)] if heading else ["", "\n\n".join(paragraphs)]
        creators, parties = self._people(body) if kind not in ("Answer", "Document", "MediaObject") else ([], [])
        if creators:
            parts += ["", *(c if isinstance(c, str) else f"{c['name']} ({c['party']})" for c in creators)]

        identifier = f"{ID_PREFIX}{i}"
        record: dict[str, Any] = {
            "@id": identifier,
            "@type": kind,
            "name": title,
            "text": "\n".join(parts),
            "date": date_text,
            "organization": body.org,
            "subject": theme.topic
            if kind in ("WrittenQuestions", "Answer")
            else rng.choice(SUBJECTS).format(y=year, t=theme.topic),
            "topics": [THEMES[t].topic for t in themes],
        }
        if creators:
            record["creator"] = creators
            record["parties"] = parties
        if kind in ("Motion", "Amendment", "InitiativeProposal"):
            result = self._result()
            if result is not None:
                record["result"] = result
                if result in ("aangenomen", "adopted", "verworpen", "rejected") and random_() < 0.9:
                    record["votes"] = self._votes(body, adopted=result in ("aangenomen", "adopted"))
        if kind == "Amendment":
            if self.proposals and random_() < 0.2:
                record["amends"] = rng.choice(self.proposals)  # an earlier proposal of the corpus
            else:
                record["amends"] = {"@id": f"{ID_PREFIX}proposal/{i}", "name": proposal}
        elif kind == "WrittenQuestions":
            self.open_questions.append((identifier, body, lower, primary, day.toordinal()))
            if len(self.open_questions) > 200:
                self.open_questions.pop(0)
        elif kind == "Answer" and answered is not None:
            record["answers"] = answered[0]
        elif kind in ("InitiativeProposal", "Document"):
            self.proposals.append(identifier)
            if len(self.proposals) > 50:
                self.proposals.pop(0)
        return record


def records(n: int, *, seed: int = 1, bodies: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """Yield n ORI-like records (docs/IMPORT_ORI.md), identifiers https://id.example.org/bench/0 to n-1,
    for the given bodies (code, name), e.g. [("GM0193", "Zwolle"), ("PV23", "Overijssel")]: about 60%
    motions, 20% amendments, 15% written questions, 5% answers and proposals, dated 2014-2026.
    Deterministic: the same seed and bodies give the same records."""
    generator = _Generator(seed, bodies)
    for i in range(n):
        yield generator.record(i)


# --- benchmark queries ---------------------------------------------------------------------------
# The library's query language (core.search.parse_query): words are all required, "phrases" exact,
# -word excluded, OR between alternatives; the dict holds the facet filters of the search page.

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("woningen", {}),
    ("armoede", {}),
    ("zonnepanelen", {}),
    ("energiearmoede", {}),
    ("kinderarmoede", {}),
    ("mantelzorg", {}),
    ("laadpalen", {}),
    ("biodiversiteit", {}),
    ("glasvezel", {}),
    ("warmtenet isolatie", {}),
    ("schuldhulpverlening vroegsignalering", {}),
    ("fietspaden verkeersveiligheid", {}),
    ("zwembad sportverenigingen", {}),
    ("erfgoed monumenten", {}),
    ('"openbaar vervoer"', {}),
    ('"sociale huurwoningen"', {}),
    ('"financiële positie"', {}),
    ('"verzoekt het college" jeugdzorg', {}),
    ("armoede -kinderarmoede", {}),
    ("zorg -jeugdzorg", {}),
    ("zonnepanelen OR warmtepompen", {}),
    ("laadpalen OR deelfietsen", {}),
    ("woningbouw", {"kind": "motion"}),
    ("armoede", {"outcome": "adopted"}),
    ("klimaatadaptatie", {"year": "2022"}),
    ("handhaving", {"tier": "municipal"}),
    ("energietransitie", {"tier": "provincial"}),
    ("jeugdzorg", {"kind": "questions"}),
    ("begroting", {"kind": "amendment"}),
    ("wachtlijsten", {"outcome": "rejected"}),
]

# --- checking the queries against a corpus (exact words, no stemming: a lower bound) -------------

# How the importer stores an Answer is its choice (the model has no answer kind): counted as questions.
KINDS = {
    "Motion": "motion",
    "Amendment": "amendment",
    "WrittenQuestions": "questions",
    "Answer": "questions",
    "InitiativeProposal": "initiative",
}
OUTCOMES = {
    "aangenomen": "adopted",
    "adopted": "adopted",
    "verworpen": "rejected",
    "rejected": "rejected",
    "ingetrokken": "withdrawn",
    "withdrawn": "withdrawn",
    "aangehouden": "held_over",
    "held over": "held_over",
}
TIERS = {"GM": "municipal", "PV": "provincial", "WS": "water_board"}
WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _parse(query: str) -> list[list[tuple[bool, tuple[str, ...]]]]:
    """AND-ed groups of OR-ed (negated, words) clauses, like core.search.parse_query."""
    groups: list[list[tuple[bool, tuple[str, ...]]]] = []
    pending_or = False
    for minus, phrase, bare in re.findall(r'(-?)"([^"]*)"|(\S+)', query):
        if bare == "OR":
            pending_or = True
            continue
        negated = bool(minus) or (bare.startswith("-") and len(bare) > 1)
        clause = (negated, tuple(WORD.findall(fold(phrase or bare.lstrip("-")))))
        if pending_or and groups:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
    return groups


def matches(record: dict[str, Any], query: str, facets: dict[str, str]) -> bool:
    """Whether the record matches (exact folded words and phrases; the app also stems)."""
    for facet, value in facets.items():
        actual = {
            "kind": KINDS.get(record["@type"], "other"),
            "outcome": OUTCOMES.get(record.get("result", ""), "unknown"),
            "year": record["date"][:4],
            "tier": TIERS[record["organization"]["identifier"][:2]],
        }[facet]
        if actual != value:
            return False
    tokens = WORD.findall(fold(record["name"] + " " + record["text"]))
    present = set(tokens)
    joined = " " + " ".join(tokens) + " "
    for group in _parse(query):
        hit = False
        for negated, words in group:
            found = words[0] in present if len(words) == 1 else f" {' '.join(words)} " in joined
            if negated and found:
                return False
            hit = hit or (found and not negated) or negated
        if not hit:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="records to generate for the timing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", type=int, default=0, metavar="N", help="count query hits in the first N records")
    args = parser.parse_args()

    for record in records(3, seed=args.seed, bodies=SAMPLE_BODIES):
        print(json.dumps(record, ensure_ascii=False, indent=2))

    start = time.perf_counter()
    for _record in records(args.n, seed=args.seed, bodies=SAMPLE_BODIES):
        pass
    elapsed = time.perf_counter() - start
    rate = args.n / elapsed
    print(
        f"\n{args.n:,} records in {elapsed:.1f} s: {rate:,.0f} records/s (1,000,000 in about {1_000_000 / rate:.0f} s)",
        file=sys.stderr,
    )
    lengths = sorted(len(r["text"].split()) for r in records(min(args.n, 20_000), seed=args.seed, bodies=SAMPLE_BODIES))
    print(
        f"words per text: mean {sum(lengths) / len(lengths):.0f}, median {lengths[len(lengths) // 2]}, "
        f"min {lengths[0]}, max {lengths[-1]}",
        file=sys.stderr,
    )

    if args.check:
        corpus = list(records(args.check, seed=args.seed, bodies=SAMPLE_BODIES))
        for query, facets in QUERIES:
            hits = sum(matches(record, query, facets) for record in corpus)
            print(f"{hits / len(corpus):7.2%}  {hits:7,}  {query}  {facets or ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
